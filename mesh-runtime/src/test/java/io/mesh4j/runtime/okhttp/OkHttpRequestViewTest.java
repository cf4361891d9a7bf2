package io.mesh4j.runtime.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import okhttp3.Request;
import org.junit.jupiter.api.Test;

class OkHttpRequestViewTest {

  @Test
  void authorityIsTheHostHeaderOkHttpWouldSend() {
    assertThat(new OkHttpRequestView(new Request.Builder().url("http://catalog:8080/items").build()).authority())
        .isEqualTo("catalog:8080");
    assertThat(new OkHttpRequestView(new Request.Builder().url("http://catalog/items").build()).authority())
        .isEqualTo("catalog");
    assertThat(new OkHttpRequestView(
            new Request.Builder().url("http://catalog:8080/").header("Host", "shop.example").build()).authority())
        .isEqualTo("shop.example");
  }

  @Test
  void theMeshsFormattedHostPortIsTheAuthorityOnlyWhereOkHttpWouldSendIt() {
    assertThat(new OkHttpRequestView(new Request.Builder().url("http://catalog:8080/items").build(), "catalog:8080")
        .authority()).isEqualTo("catalog:8080");
    // Default port: OkHttp sends the host alone.
    assertThat(new OkHttpRequestView(new Request.Builder().url("http://catalog/items").build(), "catalog:80")
        .authority()).isEqualTo("catalog");
    assertThat(new OkHttpRequestView(
            new Request.Builder().url("http://catalog:8080/").header("Host", "shop.example").build(), "catalog:8080")
        .authority()).isEqualTo("shop.example");
  }

  @Test
  void pathKeepsTheEncodedQuery() {
    OkHttpRequestView view = new OkHttpRequestView(new Request.Builder().url("http://c/a%20b?x=1&y=%2F").build());
    assertThat(view.path()).isEqualTo("/a%20b?x=1&y=%2F");
    assertThat(new OkHttpRequestView(new Request.Builder().url("http://c/items").build()).path()).isEqualTo("/items");
  }

  @Test
  void repeatedHeadersAreJoinedWithCommasInOrderAndNamesIgnoreCase() {
    Request request = new Request.Builder().url("http://c/")
        .addHeader("Custom-Key", "value1")
        .addHeader("other", "x")
        .addHeader("custom-key", "value2")
        .build();
    OkHttpRequestView view = new OkHttpRequestView(request);
    assertThat(view.header("custom-key")).isEqualTo("value1,value2");
    assertThat(view.header("other")).isEqualTo("x");
    assertThat(view.header("missing")).isNull();
  }

  @Test
  void pseudoHeadersAnswerFromTheRequestLine() {
    Request request = new Request.Builder().url("http://catalog:8080/items?q=1").post(okhttp3.RequestBody.create(new byte[0])).build();
    OkHttpRequestView view = new OkHttpRequestView(request);
    assertThat(view.header(":method")).isEqualTo("POST");
    assertThat(view.header(":path")).isEqualTo("/items?q=1");
    assertThat(view.header(":authority")).isEqualTo("catalog:8080");
    assertThat(view.header(":scheme")).isEqualTo("http");
    assertThat(view.header(":unknown")).isNull();
  }
}
