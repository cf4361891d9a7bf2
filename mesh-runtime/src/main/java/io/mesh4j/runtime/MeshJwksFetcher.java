package io.mesh4j.runtime;

import io.mesh4j.runtime.filter.jwt.JwksFetcher;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.function.Supplier;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Fetches remote JWKS for jwt_authn through the mesh's own OkHttp client, so the JWKS service may be a mesh service
 * or a TLS-originated external one, with the mesh's routing, TLS and retries. The request goes to the URI's
 * authority as a mesh target; Envoy's {@code http_uri.cluster} (sending to a named cluster regardless of the URI)
 * is not done yet: the engine routes by target only, so the cluster's name is for the log.
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
    Call call = client().newCall(new Request.Builder().url(uri.toString()).get()
        .header("accept", "application/json").build());
    call.timeout().timeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    try (Response response = call.execute()) {
      if (!response.isSuccessful()) {
        throw new IOException("JWKS " + uri + " (cluster " + cluster + "): status " + response.code());
      }
      ResponseBody body = response.body();
      if (body.contentLength() > MAX_JWKS_BYTES) {
        throw new IOException("JWKS " + uri + ": " + body.contentLength() + " bytes is too large");
      }
      return body.source().readUtf8();
    }
  }

  private OkHttpClient client() {
    OkHttpClient c = client;
    if (c == null) {
      synchronized (this) {
        c = client;
        if (c == null) {
          c = clients.get().build();
          client = c;
        }
      }
    }
    return c;
  }
}
