package io.mesh4j.spring;

import io.mesh4j.MeshOptions;
import io.mesh4j.OutboundTrafficPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code mesh.*}: how the application joins the mesh. Without {@code mesh.bootstrap-file} or
 * {@code mesh.bootstrap-json} the environment's bootstrap is used ({@code GRPC_XDS_BOOTSTRAP},
 * {@code GRPC_XDS_BOOTSTRAP_CONFIG} or {@code MESH_BOOTSTRAP}).
 */
@ConfigurationProperties("mesh")
public class MeshProperties {
  /** Whether to start the mesh at all; false leaves every client of the application as it would be without mesh4j. */
  private boolean enabled = true;
  /** A gRPC xDS bootstrap file; overrides GRPC_XDS_BOOTSTRAP and friends. */
  private Path bootstrapFile;
  /** A gRPC xDS bootstrap as inline JSON; overrides the environment. */
  private String bootstrapJson;
  /** How long the first request to a host waits for the control plane to say whether it is in the mesh. */
  private Duration listenerWait = MeshOptions.DEFAULT_LISTENER_WAIT;
  /** What happens to requests for hosts the control plane does not know. */
  private OutboundTrafficPolicy outboundTrafficPolicy = OutboundTrafficPolicy.ALLOW_ANY;
  /**
   * Targets ("host:port") whose configuration is asked for at startup, so the first calls need not wait for it; the
   * mesh health indicator is DOWN until the control plane has answered for each of them.
   */
  private List<String> warmUpTargets = new ArrayList<>();
  /**
   * Per client: the host an HTTP client calls (RestClient, RestTemplate, WebClient), or the target or name of a gRPC
   * channel. Map keys containing dots need brackets: {@code mesh.clients[catalog.shop].enabled=false}.
   */
  private Map<String, Client> clients = new LinkedHashMap<>();
  /**
   * A directory where the last accepted xDS config is persisted, so the application can start and route while the
   * control plane is unreachable; overrides MESH_CONFIG_CACHE_DIR. Private keys are never written.
   */
  private Path configCacheDir;
  /** How the application's own server joins the mesh (its server listener). */
  private final Inbound inbound = new Inbound();

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public Path getBootstrapFile() {
    return bootstrapFile;
  }

  public void setBootstrapFile(Path bootstrapFile) {
    this.bootstrapFile = bootstrapFile;
  }

  public String getBootstrapJson() {
    return bootstrapJson;
  }

  public void setBootstrapJson(String bootstrapJson) {
    this.bootstrapJson = bootstrapJson;
  }

  public Duration getListenerWait() {
    return listenerWait;
  }

  public void setListenerWait(Duration listenerWait) {
    this.listenerWait = listenerWait;
  }

  public OutboundTrafficPolicy getOutboundTrafficPolicy() {
    return outboundTrafficPolicy;
  }

  public void setOutboundTrafficPolicy(OutboundTrafficPolicy outboundTrafficPolicy) {
    this.outboundTrafficPolicy = outboundTrafficPolicy;
  }

  public List<String> getWarmUpTargets() {
    return warmUpTargets;
  }

  public void setWarmUpTargets(List<String> warmUpTargets) {
    this.warmUpTargets = warmUpTargets;
  }

  public Map<String, Client> getClients() {
    return clients;
  }

  public void setClients(Map<String, Client> clients) {
    this.clients = clients;
  }

  /** {@code mesh.clients.<name>.*}: one client's relation to the mesh. */
  public static class Client {
    /** Whether this client's calls are routed by the mesh; false sends them straight to the host named. */
    private boolean enabled = true;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }

  public Path getConfigCacheDir() {
    return configCacheDir;
  }

  public void setConfigCacheDir(Path configCacheDir) {
    this.configCacheDir = configCacheDir;
  }

  public Inbound getInbound() {
    return inbound;
  }

  /** {@code mesh.inbound.*}: the application's server under its server listener from xDS. */
  public static class Inbound {
    /**
     * Whether requests to the server port go through the HTTP filters (RBAC, JWT) of the port's server listener.
     * Off by default: once on, every request is answered 503 until the control plane has sent that listener.
     */
    private boolean enabled;
    /** The port whose server listener applies; defaults to the port the application's web server listens on. */
    private Integer port;
    /**
     * The bootstrap's certificate provider instance whose workload certificate the {@code mesh} SSL bundle carries
     * ({@code server.ssl.bundle=mesh}); without it, the only instance if the bootstrap has exactly one.
     */
    private String certificateProvider;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public Integer getPort() {
      return port;
    }

    public void setPort(Integer port) {
      this.port = port;
    }

    public String getCertificateProvider() {
      return certificateProvider;
    }

    public void setCertificateProvider(String certificateProvider) {
      this.certificateProvider = certificateProvider;
    }
  }
}
