package io.mesh4j.samples.controlplane;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local xDS control plane: serves the Envoy v3 resources of a directory of YAML or JSON files over ADS (and the
 * per-type discovery services) on a loopback port, and pushes a new version whenever the files change.
 *
 * <p>A change that does not load (a syntax error, an unknown field, two resources with one name) is logged with the
 * file and the problem, and the previous version keeps being served: a client never sees half a configuration.
 *
 * <pre>{@code
 * try (LocalControlPlane cp = LocalControlPlane.start(Path.of("config"), 18000)) {
 *   Mesh mesh = Mesh.builder().bootstrapJson(cp.bootstrapJson()).build();
 *   ...
 * }
 * }</pre>
 */
public final class LocalControlPlane implements AutoCloseable {
  public static final int DEFAULT_PORT = 18000;
  public static final String DEFAULT_NODE_ID = "mesh4j-local-client";
  public static final String DEFAULT_NODE_CLUSTER = "mesh4j-local";

  /** Every node gets the same configuration. */
  private static final String GROUP = "all-nodes";
  private static final Duration DEBOUNCE = Duration.ofMillis(200);
  private static final Duration POLL_INTERVAL = Duration.ofSeconds(1);

  /** Per instance, so that {@link #main} configures logging before the first logger exists. */
  private final Logger log = LoggerFactory.getLogger(LocalControlPlane.class);
  private final Path configDir;
  private final SimpleCache<String> cache = new SimpleCache<>(node -> GROUP);
  private final SnapshotVersions versions = new SnapshotVersions();
  private final ExecutorService reloads;
  private Server server;
  private DirectoryWatcher watcher;
  private volatile String version = "";
  private volatile ResourceSet resources = ResourceSet.EMPTY;
  private volatile String lastError;

  private LocalControlPlane(Path configDir) {
    this.configDir = configDir.toAbsolutePath().normalize();
    this.reloads = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "mesh4j-config-reload");
      thread.setDaemon(true);
      return thread;
    });
  }

  /**
   * Loads {@code configDir}, starts serving it on {@code 127.0.0.1:port} ({@code 0} picks a free port) and watches
   * it for changes.
   *
   * @throws ConfigLoadException the files do not load; nothing was started
   * @throws IOException the port could not be bound
   */
  public static LocalControlPlane start(Path configDir, int port) throws ConfigLoadException, IOException {
    return start(configDir, port, false);
  }

  /** As {@link #start(Path, int)}; {@code pollingOnly} checks the directory periodically instead of asking the OS. */
  static LocalControlPlane start(Path configDir, int port, boolean pollingOnly)
      throws ConfigLoadException, IOException {
    Objects.requireNonNull(configDir, "configDir");
    LocalControlPlane controlPlane = new LocalControlPlane(configDir);
    try {
      controlPlane.reload();
      controlPlane.startServer(port);
      controlPlane.watcher = DirectoryWatcher.start(
          controlPlane.configDir, DEBOUNCE, POLL_INTERVAL, pollingOnly, controlPlane::reloadAfterChange);
      return controlPlane;
    } catch (ConfigLoadException | IOException | RuntimeException e) {
      controlPlane.close();
      throw e;
    }
  }

  private void startServer(int port) throws IOException {
    V3DiscoveryServer discovery = new V3DiscoveryServer(new AnswerWhatExistsWatcher(cache, GROUP));
    server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
        .addService(discovery.getAggregatedDiscoveryServiceImpl())
        .addService(discovery.getListenerDiscoveryServiceImpl())
        .addService(discovery.getRouteDiscoveryServiceImpl())
        .addService(discovery.getClusterDiscoveryServiceImpl())
        .addService(discovery.getEndpointDiscoveryServiceImpl())
        .addService(discovery.getSecretDiscoveryServiceImpl())
        .build()
        .start();
    log.info("xDS control plane on 127.0.0.1:{} serving {}", port(), configDir);
  }

  /** The port the server listens on. */
  public int port() {
    return ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
  }

  /** The directory served. */
  public Path configDir() {
    return configDir;
  }

  /** The version last pushed: a number that grows by one each time the served resources change. */
  public String version() {
    return version;
  }

  /** The resources being served. */
  public ResourceSet resources() {
    return resources;
  }

  /** Why the files on disk are not being served, if the last attempt to load them failed. */
  public Optional<String> lastError() {
    return Optional.ofNullable(lastError);
  }

  /**
   * Loads the files now, without waiting for the watcher, and pushes them if they changed.
   *
   * @return the version served afterwards
   * @throws ConfigLoadException the files do not load; the previous version keeps being served
   */
  public String reload() throws ConfigLoadException {
    Future<String> result = reloads.submit(this::load);
    try {
      return result.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ConfigLoadException loadError) {
        throw loadError;
      }
      throw new IllegalStateException("reloading " + configDir + " failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reloading " + configDir, e);
    }
  }

  private void reloadAfterChange() {
    reloads.execute(() -> {
      try {
        load();
      } catch (ConfigLoadException e) {
        // load() has logged it and kept the previous version.
      }
    });
  }

  /** Runs on the reload thread only, so snapshots are built and published in order. */
  private String load() throws ConfigLoadException {
    ResourceSet loaded;
    try {
      loaded = ResourceFiles.loadDirectory(configDir);
    } catch (ConfigLoadException e) {
      lastError = e.getMessage();
      log.error("{}\n  -> not applied; still serving version {}", e.getMessage(),
          version.isEmpty() ? "(none)" : version);
      throw e;
    }
    if (lastError != null) {
      lastError = null;
      log.info("configuration in {} loads again", configDir);
    }
    versions.next(loaded).ifPresent(published -> {
      cache.setSnapshot(GROUP, published.snapshot());
      resources = loaded;
      version = published.version();
      if (published.version().equals("1")) {
        log.info("version 1: {}", loaded);
      } else {
        log.info("version {}: {} changed ({})", published.version(), String.join(", ", published.changedTypes()), loaded);
      }
    });
    return version;
  }

  /** A gRPC xDS bootstrap that points a client at this control plane, with a default node identity. */
  public String bootstrapJson() {
    return bootstrapJson(DEFAULT_NODE_ID, DEFAULT_NODE_CLUSTER);
  }

  /** A gRPC xDS bootstrap that points a client at this control plane. */
  public String bootstrapJson(String nodeId, String nodeCluster) {
    JsonObject server = new JsonObject();
    server.addProperty("server_uri", "127.0.0.1:" + port());
    JsonObject insecure = new JsonObject();
    insecure.addProperty("type", "insecure");
    JsonArray channelCreds = new JsonArray();
    channelCreds.add(insecure);
    server.add("channel_creds", channelCreds);
    JsonArray features = new JsonArray();
    features.add("xds_v3");
    server.add("server_features", features);
    JsonArray servers = new JsonArray();
    servers.add(server);
    JsonObject node = new JsonObject();
    node.addProperty("id", Objects.requireNonNull(nodeId, "nodeId"));
    node.addProperty("cluster", Objects.requireNonNull(nodeCluster, "nodeCluster"));
    JsonObject bootstrap = new JsonObject();
    bootstrap.add("xds_servers", servers);
    bootstrap.add("node", node);
    return bootstrap.toString();
  }

  /** Blocks until the server stops. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  @Override
  public void close() {
    if (watcher != null) {
      watcher.close();
    }
    reloads.shutdownNow();
    if (server != null) {
      server.shutdownNow();
      try {
        server.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** {@code LocalControlPlane --config-dir DIR [--port P]}: serves DIR until interrupted. */
  public static void main(String[] args) throws InterruptedException {
    ConsoleLogging.configure();
    CommandLine commandLine;
    try {
      commandLine = CommandLine.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(CommandLine.USAGE);
      System.exit(2);
      return;
    }
    if (commandLine.help()) {
      System.out.println(CommandLine.USAGE);
      return;
    }
    LocalControlPlane controlPlane;
    try {
      controlPlane = start(commandLine.configDir(), commandLine.port());
    } catch (ConfigLoadException e) {
      System.err.println("cannot start: " + e.getMessage());
      System.exit(1);
      return;
    } catch (IOException e) {
      System.err.println("cannot listen on 127.0.0.1:" + commandLine.port() + ": " + e.getMessage());
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(controlPlane::close, "mesh4j-control-plane-shutdown"));
    System.out.println("Bootstrap for a client (GRPC_XDS_BOOTSTRAP_CONFIG):");
    System.out.println(controlPlane.bootstrapJson());
    System.out.println("Edit the files in " + controlPlane.configDir() + " and save to push a new version; Ctrl-C stops.");
    controlPlane.awaitTermination();
  }

  /** The arguments of {@link #main}. */
  record CommandLine(Path configDir, int port, boolean help) {
    static final String USAGE =
        "usage: LocalControlPlane --config-dir DIR [--port PORT]   (default port " + DEFAULT_PORT + ", loopback only)";

    static CommandLine parse(String... args) {
      Path configDir = null;
      int port = DEFAULT_PORT;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--config-dir" -> configDir = Path.of(value(args, ++i, "--config-dir"));
          case "--port" -> port = parsePort(value(args, ++i, "--port"));
          case "-h", "--help" -> {
            return new CommandLine(null, port, true);
          }
          default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
        }
      }
      if (configDir == null) {
        throw new IllegalArgumentException("--config-dir is required");
      }
      return new CommandLine(configDir, port, false);
    }

    private static String value(String[] args, int index, String option) {
      if (index >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args[index];
    }

    private static int parsePort(String text) {
      try {
        int port = Integer.parseInt(text);
        if (port < 0 || port > 65535) {
          throw new IllegalArgumentException("--port must be between 0 and 65535: " + text);
        }
        return port;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--port must be a number: " + text, e);
      }
    }
  }
}
