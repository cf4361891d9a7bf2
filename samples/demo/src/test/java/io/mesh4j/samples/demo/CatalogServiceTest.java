package io.mesh4j.samples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

class CatalogServiceTest {
  private final OkHttpClient http = new OkHttpClient();

  @Test
  void answersWithItsVersionInBodyAndHeader() throws Exception {
    try (CatalogService v2 = CatalogService.start("v2", 0);
        Response response = http.newCall(new Request.Builder()
            .url("http://127.0.0.1:" + v2.port() + "/items").build()).execute()) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.header("x-version")).isEqualTo("v2");
      assertThat(response.header("content-type")).isEqualTo("application/json");
      assertThat(response.body().string()).isEqualTo("{\"service\":\"catalog\",\"version\":\"v2\",\"path\":\"/items\"}\n");
    }
  }

  @Test
  void twoVersionsRunSideBySide() throws Exception {
    try (CatalogService v1 = CatalogService.start("v1", 0); CatalogService v2 = CatalogService.start("v2", 0)) {
      assertThat(v1.port()).isNotEqualTo(v2.port());
      try (Response response = http.newCall(new Request.Builder()
          .url("http://127.0.0.1:" + v1.port() + "/other").build()).execute()) {
        assertThat(response.header("x-version")).isEqualTo("v1");
        assertThat(response.body().string()).contains("\"path\":\"/other\"");
      }
    }
  }
}
