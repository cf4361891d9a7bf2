package io.mesh4j.spring;

import io.mesh4j.Mesh;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import okhttp3.OkHttpClient;

/**
 * The application's OkHttp clients: one routed by the mesh, one that is not, and which of them a call to a host takes
 * ({@code mesh.clients.<host>.enabled=false} opts a host out). The adapters for RestClient, RestTemplate and WebClient
 * send through {@link #forHost}; both clients share one connection pool and dispatcher executor.
 */
public final class MeshClients {
  private final OkHttpClient routed;
  private final OkHttpClient direct;
  private final Set<String> optedOut;

  public MeshClients(OkHttpClient routed, OkHttpClient direct, Set<String> optedOut) {
    this.routed = Objects.requireNonNull(routed, "routed");
    this.direct = Objects.requireNonNull(direct, "direct");
    this.optedOut = Set.copyOf(optedOut);
  }

  /** Both clients from {@code mesh}, with the names {@code properties} opts out. */
  public static MeshClients of(Mesh mesh, MeshProperties properties) {
    OkHttpClient direct = new OkHttpClient.Builder().build();
    OkHttpClient routed = mesh.okHttp(direct.newBuilder()).build();
    return new MeshClients(routed, direct, optedOut(properties.getClients()));
  }

  static Set<String> optedOut(Map<String, MeshProperties.Client> clients) {
    return clients.entrySet().stream()
        .filter(entry -> !entry.getValue().isEnabled())
        .map(Map.Entry::getKey)
        .collect(Collectors.toUnmodifiableSet());
  }

  /** The client routed by the mesh. */
  public OkHttpClient routed() {
    return routed;
  }

  /** The client the mesh does not touch. */
  public OkHttpClient direct() {
    return direct;
  }

  /** Whether calls to {@code name} (a host, a gRPC target or channel name) are routed. */
  public boolean routes(String name) {
    return !optedOut.contains(name);
  }

  /** The client a call to {@code host} goes through. */
  public OkHttpClient forHost(String host) {
    return routes(host) ? routed : direct;
  }
}
