package io.godwit.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package and module graph of the main code (see docs/architecture.md): no cycles between
 * packages, the engine below everything, the reference machines and the tools above it, and
 * inside the engine the components below the machine, the machine below the migration and the
 * monitor. Any back edge fails here with the offending classes named.
 */
class LayerRulesTest {
    static final String[] TOOLS = {"io.godwit.reference..", "io.godwit.inspect..", "io.godwit.report..", "io.godwit.qmp..",
        "io.godwit.launch..", "io.godwit.bench..", "io.godwit.cli..", "io.godwit.examples.."};
    static final String[] COMPONENTS = {"io.godwit.stream..", "io.godwit.savevm..", "io.godwit.options..",
        "io.godwit.stats..", "io.godwit.clock..", "io.godwit.trace..", "io.godwit.util..", "io.godwit.transport..",
        "io.godwit.ram..", "io.godwit.block..", "io.godwit.bitmap..", "io.godwit.stattrib..", "io.godwit.device..",
        "io.godwit.vcpu.."};

    static JavaClasses main;

    @BeforeAll
    static void importMainCode() {
        main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar") && !location.contains("test-classes"))
                .importPackages("io.godwit");
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching("io.godwit.(**)").should().beFreeOfCycles().check(main);
    }

    @Test
    void engineDependsOnNoToolOrReferenceMachine() {
        rule(engine(), TOOLS).check(main);
    }

    @Test
    void componentsDoNotKnowTheMachineMigrationOrMonitor() {
        noClasses().that().resideInAnyPackage(COMPONENTS)
                .should().dependOnClassesThat().resideInAnyPackage("io.godwit.machine..", "io.godwit.migration..",
                        "io.godwit.monitor..", "io.godwit.api..")
                .check(main);
    }

    @Test
    void streamCodecIsTheBottomLayer() {
        noClasses().that().resideInAPackage("io.godwit.stream..")
                .should().dependOnClassesThat().resideInAnyPackage(without(COMPONENTS, "io.godwit.stream.."))
                .check(main);
    }

    @Test
    void referenceMachinesUseOnlyTheEngine() {
        rule(new String[] {"io.godwit.reference.."}, without(TOOLS, "io.godwit.reference..")).check(main);
    }

    @Test
    void inspectorUsesOnlyTheEngine() {
        rule(new String[] {"io.godwit.inspect.."}, without(TOOLS, "io.godwit.inspect..")).check(main);
    }

    @Test
    void reportUsesOnlyTheEngine() {
        rule(new String[] {"io.godwit.report.."}, without(TOOLS, "io.godwit.report..")).check(main);
    }

    @Test
    void qmpKnowsNoToolAbove() {
        rule(new String[] {"io.godwit.qmp.."}, without(TOOLS, "io.godwit.qmp..")).check(main);
    }

    @Test
    void launchingAndBenchmarksDoNotKnowTheCommandLine() {
        rule(new String[] {"io.godwit.launch..", "io.godwit.bench.."}, "io.godwit.cli..", "io.godwit.inspect..",
                "io.godwit.report..")
                .check(main);
    }

    private static ArchRule rule(String[] from, String... forbidden) {
        return noClasses().that().resideInAnyPackage(from).should().dependOnClassesThat().resideInAnyPackage(forbidden);
    }

    private static String[] engine() {
        String[] e = new String[COMPONENTS.length + 4];
        System.arraycopy(COMPONENTS, 0, e, 0, COMPONENTS.length);
        e[COMPONENTS.length] = "io.godwit.machine..";
        e[COMPONENTS.length + 1] = "io.godwit.migration..";
        e[COMPONENTS.length + 2] = "io.godwit.monitor..";
        e[COMPONENTS.length + 3] = "io.godwit.api..";
        return e;
    }

    private static String[] without(String[] all, String drop) {
        return java.util.Arrays.stream(all).filter(p -> !p.equals(drop)).toArray(String[]::new);
    }
}
