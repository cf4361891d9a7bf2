package io.mesh4j.runtime.okhttp;

import io.mesh4j.runtime.engine.LocalReply;
import okhttp3.Headers;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/** Builds the OkHttp response for an answer the mesh gives itself. */
final class LocalReplies {
  private LocalReplies() {}

  static Response toResponse(Request request, LocalReply reply) {
    Headers.Builder headers = new Headers.Builder();
    if (reply.location() != null) {
      headers.add("location", reply.location());
    }
    if (reply.contentType() != null) {
      headers.add("content-type", reply.contentType());
    }
    reply.responseHeaders().apply(new OkHttpHeaderEditor(headers));
    MediaType type = reply.contentType() == null ? null : MediaType.get(reply.contentType());
    return new Response.Builder()
        .request(request)
        .protocol(Protocol.HTTP_1_1)
        .code(reply.status())
        .message(reply.responseFlag().isEmpty() ? "local reply" : "local reply (" + reply.responseFlag() + ")")
        .headers(headers.build())
        .body(ResponseBody.create(reply.body(), type))
        .build();
  }
}
