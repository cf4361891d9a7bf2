package io.mesh4j.runtime;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static io.mesh4j.runtime.testing.XdsResources.routeConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.mesh4j.Mesh;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Redirects answered by mesh hosts are followed through the mesh, every hop routed: a relative Location to the same
 * mesh host's cluster (not to the endpoint's address), an absolute one to another mesh host's cluster (not out
 * unrouted). Real control plane, real servers on loopback.
 */
class OkHttpRedirectIntegrationTest {
  private static final String CATALOG = "catalog.mesh:8080";
  private static final String REVIEWS = "reviews.mesh:9090";

  private LoopbackControlPlane controlPlane;
  private RedirectingServer catalog;
  private RedirectingServer reviews;
  private Mesh mesh;

  /**
   * Answers {@code /redirect?to=<location>&status=<code>} with that redirect, {@code /loop} with a redirect to itself,
   * anything else with 200 and its name.
   */
  private static final class RedirectingServer implements AutoCloseable {
    final String name;
    final HttpServer server;
    /** "METHOD path host" of every request. */
    final Queue<String> seen = new ConcurrentLinkedQueue<>();

    RedirectingServer(String name) {
      this.name = name;
      try {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      server.createContext("/", this::handle);
      server.start();
    }

    private void handle(HttpExchange exchange) throws IOException {
      String query = exchange.getRequestURI().getRawQuery();
      seen.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " "
          + exchange.getRequestHeaders().getFirst("Host"));
      exchange.getRequestBody().readAllBytes();
      if (exchange.getRequestURI().getPath().equals("/loop")) {
        exchange.getResponseHeaders().add("Location", "/loop");
        exchange.sendResponseHeaders(302, -1);
        exchange.close();
        return;
      }
      if (exchange.getRequestURI().getPath().equals("/redirect")) {
        String to = null;
        int status = 302;
        for (String pair : query.split("&")) {
          String[] kv = pair.split("=", 2);
          if (kv[0].equals("to")) {
            to = java.net.URLDecoder.decode(kv[1], StandardCharsets.UTF_8);
          } else if (kv[0].equals("status")) {
            status = Integer.parseInt(kv[1]);
          }
        }
        exchange.getResponseHeaders().add("Location", to);
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
        return;
      }
      byte[] body = name.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }

    String hostPort() {
      return "127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  @BeforeEach
  void start() {
    controlPlane = LoopbackControlPlane.start();
    catalog = new RedirectingServer("catalog");
    reviews = new RedirectingServer("reviews");
    controlPlane.setSnapshot("1",
        List.of(apiListener(CATALOG, "catalog-routes"), apiListener(REVIEWS, "reviews-routes")),
        List.of(routeConfig("catalog-routes", CATALOG, "catalog"), routeConfig("reviews-routes", REVIEWS, "reviews")),
        List.of(edsCluster("catalog"), edsCluster("reviews")),
        List.of(cla("catalog", catalog.hostPort()), cla("reviews", reviews.hostPort())));
    mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).listenerWait(Duration.ofSeconds(10)).build();
  }

  @AfterEach
  void stop() {
    mesh.close();
    controlPlane.close();
    catalog.close();
    reviews.close();
  }

  private static String redirect(String to, int status) {
    return "http://" + CATALOG + "/redirect?status=" + status + "&to="
        + java.net.URLEncoder.encode(to, StandardCharsets.UTF_8);
  }

  private static Response call(OkHttpClient client, Request request) throws IOException {
    return client.newCall(request).execute();
  }

  @Test
  void aRelativeLocationIsFollowedToTheSameMeshHost() throws IOException {
    OkHttpClient client = mesh.okHttp(new OkHttpClient.Builder()).build();
    try (Response response = call(client, new Request.Builder().url(redirect("/landing", 302)).build())) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.body().string()).isEqualTo("catalog");
      assertThat(response.request().url().toString()).isEqualTo("http://" + CATALOG + "/landing");
    }
    // The follow-up went through the mesh: to the catalog cluster, with the mesh name as Host.
    assertThat(catalog.seen).containsExactly("GET /redirect " + CATALOG, "GET /landing " + CATALOG);
  }

  @Test
  void anAbsoluteLocationToAnotherMeshHostIsRoutedToThatHostsCluster() throws IOException {
    OkHttpClient client = mesh.okHttp(new OkHttpClient.Builder()).build();
    try (Response response = call(client, new Request.Builder().url(redirect("http://" + REVIEWS + "/stars", 301))
        .post(RequestBody.create("{}", MediaType.get("application/json"))).build())) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.body().string()).isEqualTo("reviews");
    }
    assertThat(catalog.seen).containsExactly("POST /redirect " + CATALOG);
    // A 301 after a POST becomes a GET, as OkHttp follows it; the Host is the new mesh host's.
    assertThat(reviews.seen).containsExactly("GET /stars " + REVIEWS);
  }

  @Test
  void a307KeepsMethodAndBodyAcrossMeshHosts() throws IOException {
    OkHttpClient client = mesh.okHttp(new OkHttpClient.Builder()).build();
    try (Response response = call(client, new Request.Builder().url(redirect("http://" + REVIEWS + "/stars", 307))
        .post(RequestBody.create("{}", MediaType.get("application/json"))).build())) {
      assertThat(response.code()).isEqualTo(200);
    }
    assertThat(reviews.seen).containsExactly("POST /stars " + REVIEWS);
  }

  /** A redirect route's own answer is followed too, as OkHttp would follow it from a sidecar. */
  @Test
  void aRedirectRoutesAnswerIsFollowedThroughTheMesh() throws IOException {
    io.envoyproxy.envoy.config.route.v3.RouteConfiguration moved = routeConfig("catalog-routes", CATALOG, "catalog")
        .toBuilder().setVirtualHosts(0, routeConfig("catalog-routes", CATALOG, "catalog").getVirtualHosts(0)
            .toBuilder().addRoutes(0, io.envoyproxy.envoy.config.route.v3.Route.newBuilder()
                .setMatch(io.envoyproxy.envoy.config.route.v3.RouteMatch.newBuilder().setPath("/old"))
                .setRedirect(io.envoyproxy.envoy.config.route.v3.RedirectAction.newBuilder()
                    .setHostRedirect("reviews.mesh").setPortRedirect(9090).setPathRedirect("/new"))))
        .build();
    controlPlane.setSnapshot("2",
        List.of(apiListener(CATALOG, "catalog-routes"), apiListener(REVIEWS, "reviews-routes")),
        List.of(moved, routeConfig("reviews-routes", REVIEWS, "reviews")),
        List.of(edsCluster("catalog"), edsCluster("reviews")),
        List.of(cla("catalog", catalog.hostPort()), cla("reviews", reviews.hostPort())));
    OkHttpClient client = mesh.okHttp(new OkHttpClient.Builder()).build();
    // No call was made before this snapshot, so the mesh's first config already has the redirect route.
    try (Response response = call(client, new Request.Builder().url("http://" + CATALOG + "/old").build())) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.body().string()).isEqualTo("reviews");
    }
    assertThat(reviews.seen).containsExactly("GET /new " + REVIEWS);
    assertThat(catalog.seen).isEmpty();
  }

  @Test
  void withoutFollowRedirectsTheRedirectIsTheAnswerWithItsLocation() throws IOException {
    OkHttpClient client = mesh.okHttp(new OkHttpClient.Builder().followRedirects(false)).build();
    try (Response response = call(client, new Request.Builder().url(redirect("/landing", 302)).build())) {
      assertThat(response.code()).isEqualTo(302);
      assertThat(response.header("Location")).isEqualTo("/landing");
      assertThat(response.headers().names()).noneMatch(name -> name.toLowerCase().contains("mesh4j"));
    }
    assertThat(catalog.seen).containsExactly("GET /redirect " + CATALOG);
  }

  @Test
  void moreThanTwentyFollowUpsFailAsOkHttpFailsThem() {
    OkHttpClient client = mesh.okHttp(new OkHttpClient.Builder()).build();
    assertThatThrownBy(() -> call(client, new Request.Builder().url("http://" + CATALOG + "/loop").build()))
        .isInstanceOf(ProtocolException.class).hasMessage("Too many follow-up requests: 21");
    assertThat(catalog.seen).hasSize(21).containsOnly("GET /loop " + CATALOG);
  }
}
