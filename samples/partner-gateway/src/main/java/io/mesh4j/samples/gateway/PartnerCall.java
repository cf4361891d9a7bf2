package io.mesh4j.samples.gateway;

import java.io.IOException;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** One call a partner makes to the gateway, from outside the mesh, and what came back. */
record PartnerCall(String who, String method, String path, String assertion) {
  static final String IAP_HEADER = "x-goog-iap-jwt-assertion";

  record Answer(int status, String body, String servedBy, String wwwAuthenticate) {}

  Answer send(OkHttpClient partner, String gatewayUrl) throws IOException {
    Request.Builder request = new Request.Builder().url(gatewayUrl + path);
    if (assertion != null) {
      request.header(IAP_HEADER, assertion);
    }
    if (!method.equals("GET")) {
      request.method(method, RequestBody.create("{\"qty\":1}", MediaType.get("application/json")));
    }
    try (Response response = partner.newCall(request.build()).execute()) {
      return new Answer(response.code(), response.body().string().trim(), response.header("x-served-by"),
          response.header("www-authenticate"));
    }
  }
}
