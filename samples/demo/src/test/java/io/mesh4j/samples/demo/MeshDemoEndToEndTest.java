package io.mesh4j.samples.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mesh4j.MeshProvider;
import io.mesh4j.runtime.testing.FreePorts;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ServiceLoader;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole demo with the real runtime: traffic splits by the shipped weights, the header route goes to v2, and an
 * edit of routes.yaml moves the traffic. Skipped while no mesh runtime is on the class path.
 */
class MeshDemoEndToEndTest {
  @TempDir Path config;

  @Test
  void trafficFollowsTheRoutesAndTheirEdits() throws Exception {
    assumeTrue(ServiceLoader.load(MeshProvider.class).findFirst().isPresent(), "no mesh runtime on the class path");
    int v1Port = FreePorts.next();
    int v2Port = FreePorts.next();
    try (var files = Files.list(ConfigDirectory.find(Path.of("")).orElseThrow())) {
      for (Path file : files.toList()) {
        Files.writeString(config.resolve(file.getFileName()), Files.readString(file)
            .replace("port_value: 18081", "port_value: " + v1Port)
            .replace("port_value: 18082", "port_value: " + v2Port));
      }
    }
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    MeshDemo.Settings settings = new MeshDemo.Settings(config, 0, v1Port, v2Port, Duration.ofMillis(10), 200, 0);

    try (MeshDemo demo = MeshDemo.start(settings, new PrintStream(output, true, StandardCharsets.UTF_8))) {
      demo.startTraffic();
      await().atMost(Duration.ofSeconds(30)).until(() -> demo.tally().counts().total() == 200);
      TrafficTally.Counts counts = demo.tally().counts();
      assertThat(counts.byOutcome().getOrDefault("v1", 0)).isBetween(150, 196);
      assertThat(counts.byOutcome().getOrDefault("v2", 0)).isBetween(4, 50);
      assertThat(demo.call(true)).isEqualTo("v2");

      Path routes = config.resolve("routes.yaml");
      Path edited = config.resolve(".routes.yaml.tmp");
      Files.writeString(edited, Files.readString(routes)
          .replace("weight: 90", "weight: 0").replace("weight: 10", "weight: 100"));
      Files.move(edited, routes, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

      await().atMost(Duration.ofSeconds(15))
          .until(() -> IntStream.range(0, 20).allMatch(i -> demo.call(false).equals("v2")));

      demo.printIntro();
      Matcher admin = Pattern.compile("admin +(http://127\\.0\\.0\\.1:\\d+)/stats/prometheus")
          .matcher(output.toString(StandardCharsets.UTF_8));
      assertThat(admin.find()).as("the intro names the admin URL").isTrue();
      HttpResponse<String> stats = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(admin.group(1) + "/stats/prometheus")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(stats.statusCode()).isEqualTo(200);
      assertThat(stats.body())
          .containsPattern("istio_requests_total\\{[^}]*reporter=\"source\"[^}]*response_code=\"200\"")
          .contains("istio_request_duration_milliseconds_bucket{");
    }
    assertThat(output.toString(StandardCharsets.UTF_8)).contains("new-search -> v2");
  }

}
