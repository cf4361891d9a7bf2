package io.mesh4j.runtime;

import io.mesh4j.runtime.filter.jwt.JwksFetcher;
import io.mesh4j.runtime.okhttp.ClusterDestination;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Fetches remote JWKS for jwt_authn through the mesh's own OkHttp client, as Envoy's JWKS fetcher does: to the
 * cluster {@code http_uri.cluster} names (resolved over CDS and EDS, with its load balancing, circuit breakers and
 * TLS context), with the URI's authority as {@code Host} and its path; the URI's host itself is never resolved, so
 * the JWKS service may be a mesh service or a TLS-originated external one whatever its URL says.
 */
final class MeshJwksFetcher implements JwksFetcher {
  private static final long MAX_JWKS_BYTES = 1 << 20;

  private final Supplier<OkHttpClient.Builder> clients;
  private volatile OkHttpClient client;

  MeshJwksFetcher(Supplier<OkHttpClient.Builder> clients) {
    this.clients = clients;
  }

  @Override
  public String fetch(String cluster, URI uri, Duration timeout) throws IOException {
    Request request = new Request.Builder().url(uri.toString()).get()
        .header("Host", uri.getRawAuthority())
        .header("accept", "application/json")
        .tag(ClusterDestination.class, new ClusterDestination(cluster, timeout))
        .build();
    Call call = client().newCall(request);
    // Bounds the first fetch's wait for the cluster's config too (the mesh's own timeout starts after it).
    call.timeout().timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    try (Response response = call.execute()) {
      if (!response.isSuccessful()) {
        throw new IOException("JWKS " + uri + " via cluster " + cluster + ": status " + response.code());
      }
      ResponseBody body = response.body();
      if (body.contentLength() > MAX_JWKS_BYTES) {
        throw new IOException("JWKS " + uri + ": " + body.contentLength() + " bytes is too large");
      }
      return body.source().readUtf8();
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().contains(cluster)) {
        throw e;
      }
      throw new IOException("JWKS " + uri + " via cluster " + cluster + ": " + e, e);
    }
  }

  private OkHttpClient client() {
    OkHttpClient c = client;
    if (c == null) {
      synchronized (this) {
        c = client;
        if (c == null) {
          // Envoy's fetch follows no redirect: the answer comes from the cluster or not at all.
          c = clients.get().followRedirects(false).followSslRedirects(false).build();
          client = c;
        }
      }
    }
    return c;
  }
}
