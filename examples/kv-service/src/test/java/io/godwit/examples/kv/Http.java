package io.godwit.examples.kv;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Small HTTP calls for the tests. */
final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private Http() {}

    static HttpResponse<String> send(String method, URI uri, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60));
        b = switch (method) {
            case "GET" -> b.GET();
            case "PUT" -> b.PUT(HttpRequest.BodyPublishers.ofString(body));
            default -> b.POST(HttpRequest.BodyPublishers.ofString(body == null ? "" : body));
        };
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(String method, URI uri) throws IOException, InterruptedException {
        HttpResponse<String> r = send(method, uri, null);
        if (r.statusCode() / 100 != 2) {
            throw new IOException(method + " " + uri + ": " + r.statusCode() + " " + r.body());
        }
        return KvHttp.JSON.readTree(r.body());
    }
}
