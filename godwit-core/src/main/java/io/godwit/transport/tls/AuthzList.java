package io.godwit.transport.tls;

import java.util.List;
import java.util.Objects;

/**
 * authz-list (QEMU authz/list.c): the first rule whose match fits the identity decides; when none
 * fits, the default policy does. A glob match takes {@code *} (any run of characters) and
 * {@code ?} (one character), with no escapes, as GLib's g_pattern_match_simple.
 */
public record AuthzList(String id, Policy policy, List<Rule> rules) implements Authz {
    public enum Policy {
        DENY("deny"), ALLOW("allow");

        public final String qmpName;

        Policy(String qmpName) {
            this.qmpName = qmpName;
        }

        public static Policy byName(String name) {
            for (Policy p : values()) {
                if (p.qmpName.equals(name)) {
                    return p;
                }
            }
            return null;
        }
    }

    public enum Format {
        EXACT("exact"), GLOB("glob");

        public final String qmpName;

        Format(String qmpName) {
            this.qmpName = qmpName;
        }

        public static Format byName(String name) {
            for (Format f : values()) {
                if (f.qmpName.equals(name)) {
                    return f;
                }
            }
            return null;
        }
    }

    public record Rule(String match, Policy policy, Format format) {
        public Rule {
            Objects.requireNonNull(match, "match");
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(format, "format");
        }

        boolean matches(String identity) {
            return format == Format.EXACT ? match.equals(identity) : glob(match, identity);
        }
    }

    public AuthzList {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(policy, "policy");
        rules = List.copyOf(rules);
    }

    @Override
    public boolean allows(String identity) {
        for (Rule r : rules) {
            if (r.matches(identity)) {
                return r.policy() == Policy.ALLOW;
            }
        }
        return policy == Policy.ALLOW;
    }

    @Override
    public String type() {
        return "authz-list";
    }

    /** Iterative wildcard match with backtracking to the last star: linear in practice, no recursion. */
    static boolean glob(String pattern, String s) {
        int p = 0;
        int i = 0;
        int star = -1;
        int mark = 0;
        while (i < s.length()) {
            if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == s.charAt(i))) {
                p++;
                i++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                mark = i;
            } else if (star >= 0) {
                p = star + 1;
                i = ++mark;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }
}
