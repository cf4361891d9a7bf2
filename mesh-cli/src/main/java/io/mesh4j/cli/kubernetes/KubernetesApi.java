package io.mesh4j.cli.kubernetes;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Where and how meshctl asks the Kubernetes API: its base URL, the bearer token (a file, re-read for every request as
 * Kubernetes rotates projected tokens, or a literal), and the roots its certificate must chain to (the system's when
 * there is no CA file). Inside a pod, all three come from the service account ({@link #inCluster}).
 *
 * @param server the API server's base URL, {@code https://host:port} (or {@code http://} for {@code kubectl proxy},
 *     without a token)
 * @param tokenFile a file holding the bearer token, or {@code null}
 * @param token the bearer token itself, or {@code null}
 * @param caFile PEM roots for the API server's certificate, or {@code null} for the system's
 */
public record KubernetesApi(URI server, Path tokenFile, String token, Path caFile) {
  /** Where Kubernetes mounts a pod's service account. */
  public static final Path SERVICE_ACCOUNT = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

  public KubernetesApi {
    String scheme = server.getScheme();
    if (!"https".equals(scheme) && !"http".equals(scheme) || server.getHost() == null) {
      throw new IllegalArgumentException("not an http(s)://host[:port] URL");
    }
    if (tokenFile != null && token != null) {
      throw new IllegalArgumentException("a token file or a token, not both");
    }
    if ("http".equals(scheme) && (tokenFile != null || token != null)) {
      throw new IllegalArgumentException("a token is never sent in plaintext (https:// with a token, or no "
          + "token with kubectl proxy)");
    }
  }

  /**
   * The API as a pod's own service account reaches it: {@code https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT},
   * the account's {@code token} and {@code ca.crt} in {@code serviceAccount}.
   *
   * @throws KubernetesException when not in a pod (no such variables, or no token)
   */
  public static KubernetesApi inCluster(Map<String, String> env, Path serviceAccount) throws KubernetesException {
    String host = env.get("KUBERNETES_SERVICE_HOST");
    String port = env.get("KUBERNETES_SERVICE_PORT");
    if (host == null || host.isBlank() || port == null || port.isBlank()) {
      throw new KubernetesException("not in a pod (KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set): "
          + "give --kube-api URL with --kube-token-file or --kube-token (or run 'kubectl proxy' and give "
          + "--kube-api http://127.0.0.1:8001)");
    }
    Path token = serviceAccount.resolve("token");
    if (!Files.isReadable(token)) {
      throw new KubernetesException("in a pod, but its service account token " + token + " cannot be read "
          + "(automountServiceAccountToken: false?): give --kube-token-file");
    }
    Path ca = serviceAccount.resolve("ca.crt");
    URI server;
    try {
      server = URI.create("https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port.trim());
    } catch (IllegalArgumentException e) {
      throw new KubernetesException("KUBERNETES_SERVICE_HOST/_PORT do not make a URL: " + host + ", " + port);
    }
    return new KubernetesApi(server, token, null, Files.isReadable(ca) ? ca : null);
  }

  /** The namespace of the pod meshctl runs in (its service account's), or {@code null} outside a pod. */
  public static String podNamespace(Path serviceAccount) {
    try {
      String namespace = Files.readString(serviceAccount.resolve("namespace"), StandardCharsets.UTF_8).trim();
      return namespace.isEmpty() ? null : namespace;
    } catch (IOException e) {
      return null;
    }
  }

  /** The {@code Authorization} header's value, read now, or {@code null} without a token. */
  String authorization() throws KubernetesException {
    if (token != null) {
      return "Bearer " + token.trim();
    }
    if (tokenFile == null) {
      return null;
    }
    try {
      return "Bearer " + Files.readString(tokenFile, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new KubernetesException("cannot read the Kubernetes token file " + tokenFile + ": " + e.getMessage(), e);
    }
  }

  /** TLS trusting {@link #caFile} (every certificate in it), or the system's roots. */
  SSLContext tls() throws KubernetesException {
    try {
      if (caFile == null) {
        return SSLContext.getDefault();
      }
      Collection<? extends Certificate> roots;
      try (InputStream in = Files.newInputStream(caFile)) {
        roots = CertificateFactory.getInstance("X.509").generateCertificates(in);
      }
      if (roots.isEmpty()) {
        throw new KubernetesException("no certificate in the Kubernetes CA file " + caFile);
      }
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate root : roots) {
        store.setCertificateEntry("root-" + i++, root);
      }
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new KubernetesException("cannot read the Kubernetes CA file " + caFile + ": " + e.getMessage(), e);
    }
  }
}
