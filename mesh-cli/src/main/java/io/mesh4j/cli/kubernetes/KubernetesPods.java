package io.mesh4j.cli.kubernetes;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * Lists a namespace's pods by label selector with one {@code GET /api/v1/namespaces/<ns>/pods?labelSelector=...}
 * and keeps those that can be asked: phase {@code Running} with a pod IP. The JDK's HTTP client and Gson, no
 * Kubernetes client library: meshctl reads four fields of one list.
 */
public final class KubernetesPods {
  private final KubernetesApi api;
  private final Duration timeout;
  private HttpClient http;

  public KubernetesPods(KubernetesApi api, Duration timeout) {
    this.api = api;
    this.timeout = timeout;
  }

  /**
   * The running pods with an IP in {@code namespace} that {@code labelSelector} selects (every pod when it is
   * {@code null}), sorted by name.
   *
   * @throws KubernetesException when the API cannot be reached, refuses (401, 403) or answers something else
   */
  public List<Pod> running(String namespace, String labelSelector) throws KubernetesException, InterruptedException {
    String path = "/api/v1/namespaces/" + encode(namespace) + "/pods"
        + (labelSelector == null ? "" : "?labelSelector=" + encode(labelSelector));
    String base = api.server().toString();
    URI uri = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path);
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json");
    String authorization = api.authorization();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    HttpResponse<String> response;
    try {
      response = client().send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw new KubernetesException("cannot reach the Kubernetes API at " + api.server() + ": " + rootMessage(e), e);
    } catch (HttpTimeoutException e) {
      throw new KubernetesException("the Kubernetes API at " + api.server() + " did not answer within " + timeout, e);
    } catch (IOException e) {
      if (causedBy(e, SSLException.class)) {
        throw new KubernetesException("TLS with the Kubernetes API at " + api.server() + " failed: " + rootMessage(e)
            + (api.caFile() == null ? " (give --kube-ca with the cluster's CA)" : " (with the roots in "
                + api.caFile() + ")"), e);
      }
      throw new KubernetesException("cannot ask the Kubernetes API at " + api.server() + ": " + rootMessage(e), e);
    }
    switch (response.statusCode()) {
      case 200:
        return pods(response.body(), namespace);
      case 401:
        throw new KubernetesException("the Kubernetes API at " + api.server() + " refused the token (401 "
            + "Unauthorized" + statusMessage(response.body()) + "): "
            + (authorization == null ? "give --kube-token-file or --kube-token" : "is it expired or for another cluster?"));
      case 403:
        throw new KubernetesException("the Kubernetes API at " + api.server() + " does not let this account list pods"
            + " in namespace " + namespace + " (403 Forbidden" + statusMessage(response.body()) + "): it needs "
            + "'list' on 'pods' there (a Role and RoleBinding)");
      default:
        throw new KubernetesException("the Kubernetes API at " + api.server() + " answered " + response.statusCode()
            + " to GET " + path + statusMessage(response.body()));
    }
  }

  private HttpClient client() throws KubernetesException {
    if (http == null) {
      // HTTP/1.1: one request per listing, and nothing to negotiate with kubectl proxy or an API server.
      http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
          .sslContext(api.tls()).build();
    }
    return http;
  }

  private List<Pod> pods(String body, String namespace) throws KubernetesException {
    JsonObject list;
    try {
      JsonElement json = JsonParser.parseString(body);
      if (!json.isJsonObject() || !json.getAsJsonObject().has("items")
          || !json.getAsJsonObject().get("items").isJsonArray()) {
        throw new KubernetesException("the Kubernetes API at " + api.server() + " answered something other than a "
            + "pod list (is --kube-api the API server?)");
      }
      list = json.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new KubernetesException("the Kubernetes API at " + api.server() + " answered something other than JSON "
          + "(is --kube-api the API server?)", e);
    }
    List<Pod> pods = new ArrayList<>();
    for (JsonElement item : list.getAsJsonArray("items")) {
      if (!item.isJsonObject()) {
        continue;
      }
      JsonObject metadata = object(item.getAsJsonObject(), "metadata");
      JsonObject status = object(item.getAsJsonObject(), "status");
      String name = string(metadata, "name");
      String ip = string(status, "podIP");
      if (name == null || ip == null || ip.isEmpty() || !"Running".equals(string(status, "phase"))) {
        continue;
      }
      String podNamespace = string(metadata, "namespace");
      pods.add(new Pod(name, podNamespace == null ? namespace : podNamespace, ip));
    }
    pods.sort(Comparator.comparing(Pod::instanceName));
    return pods;
  }

  /** {@code ": <message>"} of a Kubernetes {@code Status} body, or nothing. */
  private static String statusMessage(String body) {
    try {
      JsonElement json = JsonParser.parseString(body);
      String message = json.isJsonObject() ? string(json.getAsJsonObject(), "message") : null;
      return message == null || message.isBlank() ? "" : ": " + message.replaceAll("\\s*\\R\\s*", " ");
    } catch (JsonParseException e) {
      return "";
    }
  }

  private static String encode(String text) {
    // URLEncoder writes form encoding; in a path or query a space is %20.
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }

  private static JsonObject object(JsonObject object, String key) {
    JsonElement value = object == null ? null : object.get(key);
    return value != null && value.isJsonObject() ? value.getAsJsonObject() : null;
  }

  private static String string(JsonObject object, String key) {
    JsonElement value = object == null ? null : object.get(key);
    return value != null && value.isJsonPrimitive() ? value.getAsString() : null;
  }
}
