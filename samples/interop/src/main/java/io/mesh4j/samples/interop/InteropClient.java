package io.mesh4j.samples.interop;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.mesh4j.Mesh;
import io.mesh4j.grpc.MeshGrpc;
import io.mesh4j.samples.interop.proto.ClientConfigureRequest;
import io.mesh4j.samples.interop.proto.ClientConfigureResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.OkHttpClient;

/**
 * gRPC's xDS interop test client, sending through mesh4j: {@code --qps} times a second, each configured RPC type on
 * the next of {@code --num_channels} channels (round robin), to {@code --server=xds:///host:port}. On
 * {@code --stats_port}: LoadBalancerStatsService, XdsUpdateClientConfigureService and CSDS; on {@code --admin_port}
 * the mesh's admin endpoint.
 */
public final class InteropClient implements AutoCloseable {
  static final Set<String> FLAGS = Set.of("server", "stats_port", "qps", "num_channels", "rpc", "metadata",
      "rpc_timeout_sec", "fail_on_failed_rpc", "secure_mode", "transport", "print_response", "enable_csm_observability",
      "request_payload_size", "response_payload_size", AdminPortFlag.NAME);

  /** What the command line gives. */
  public record Options(String target, int statsPort, int qps, int numChannels, String rpc, String metadata,
      int rpcTimeoutSec, boolean failOnFailedRpc, String transport) {

    static Options from(Flags flags) {
      // --secure_mode=true asks gRPC for XdsChannelCredentials: TLS as each cluster's UpstreamTlsContext says,
      // plaintext where it has none. mesh4j channels always do that, so the flag needs nothing more.
      String server = flags.string("server", "localhost:8080");
      String target = server.startsWith("xds:///") ? server.substring("xds:///".length()) : server;
      String transport = flags.string("transport", "grpc");
      if (!transport.equals("grpc") && !transport.equals("okhttp")) {
        throw new IllegalArgumentException("--transport must be grpc or okhttp, got '" + transport + "'");
      }
      return new Options(target, flags.integer("stats_port", 8081), flags.integer("qps", 1),
          flags.integer("num_channels", 1), flags.string("rpc", "UnaryCall"), flags.string("metadata", ""),
          flags.integer("rpc_timeout_sec", 20), flags.bool("fail_on_failed_rpc"), transport);
    }
  }

  private final Options options;
  private final Mesh mesh;
  private final boolean ownsMesh;
  private final List<RpcTransport> transports = new ArrayList<>();
  private final ClientStats stats = new ClientStats();
  private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor(
      InteropServer.daemon("interop-client"));
  private final Server statsServer;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicBoolean succeededOnce = new AtomicBoolean();
  private final Runnable onFailedRpc;
  private volatile ClientSettings settings;

  private InteropClient(Options options, Mesh mesh, boolean ownsMesh, Runnable onFailedRpc) throws IOException {
    if (options.qps() < 1 || options.numChannels() < 1 || options.rpcTimeoutSec() < 1) {
      throw new IllegalArgumentException("--qps, --num_channels and --rpc_timeout_sec must be at least 1");
    }
    this.options = options;
    this.mesh = mesh;
    this.ownsMesh = ownsMesh;
    this.onFailedRpc = onFailedRpc;
    this.settings = ClientSettings.fromFlags(options.rpc(), options.metadata(), options.rpcTimeoutSec());
    for (int i = 0; i < options.numChannels(); i++) {
      transports.add(options.transport().equals("okhttp")
          ? new OkHttpTransport(mesh.okHttp(new OkHttpClient.Builder()).build(), options.target())
          : new GrpcTransport(MeshGrpc.newChannel(mesh, options.target())));
    }
    statsServer = Grpc.newServerBuilderForPort(options.statsPort(), InsecureServerCredentials.create())
        .addService(stats.service())
        .addService(configureService())
        .addService(MeshGrpc.csdsService(mesh))
        .build()
        .start();
    long periodNanos = TimeUnit.SECONDS.toNanos(1) / options.qps();
    sender.scheduleAtFixedRate(this::sendRound, 0, periodNanos, TimeUnit.NANOSECONDS);
  }

  /**
   * Starts a client on {@code mesh} (not closed by the client).
   *
   * @param onFailedRpc called for a failed RPC after the first success when {@code --fail_on_failed_rpc} is set
   */
  public static InteropClient start(Options options, Mesh mesh, Runnable onFailedRpc) throws IOException {
    return new InteropClient(options, mesh, false, onFailedRpc);
  }

  static InteropClient start(Flags flags) throws IOException {
    Options options = Options.from(flags);
    // Bootstrap as gRPC finds it: GRPC_XDS_BOOTSTRAP (a file) or GRPC_XDS_BOOTSTRAP_CONFIG (the JSON).
    Mesh mesh = AdminPortFlag.meshFromEnvironment(flags);
    return new InteropClient(options, mesh, true, () -> {
      System.err.println("an RPC failed after the first success and --fail_on_failed_rpc is set");
      System.exit(1);
    });
  }

  public int statsPort() {
    return statsServer.getPort();
  }

  private void sendRound() {
    ClientSettings now = settings;
    for (RpcType type : now.types()) {
      RpcTransport transport = transports.get((int) (sent.getAndIncrement() % transports.size()));
      long id = stats.onStart(type);
      try {
        transport.send(type, now.metadataFor(type), now.timeoutSec(), outcome -> ended(id, type, outcome));
      } catch (RuntimeException e) {
        ended(id, type, new RpcOutcome(Status.Code.INTERNAL, null, List.of()));
      }
    }
  }

  private void ended(long id, RpcType type, RpcOutcome outcome) {
    stats.onEnd(id, type, outcome);
    if (outcome.code() == Status.Code.OK) {
      succeededOnce.set(true);
    } else if (options.failOnFailedRpc() && succeededOnce.get()) {
      onFailedRpc.run();
    }
  }

  private ServerServiceDefinition configureService() {
    return ServerServiceDefinition.builder(InteropServices.CONFIGURE_SERVICE)
        .addMethod(InteropServices.CONFIGURE, ServerCalls.asyncUnaryCall(
            (ClientConfigureRequest request, StreamObserver<ClientConfigureResponse> observer) -> {
              try {
                settings = settings.configure(request, options.rpcTimeoutSec());
              } catch (IllegalArgumentException e) {
                observer.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
                return;
              }
              observer.onNext(ClientConfigureResponse.getDefaultInstance());
              observer.onCompleted();
            }))
        .build();
  }

  public void blockUntilShutdown() throws InterruptedException {
    statsServer.awaitTermination();
  }

  @Override
  public void close() {
    sender.shutdownNow();
    statsServer.shutdownNow();
    for (RpcTransport transport : transports) {
      transport.close();
    }
    if (ownsMesh) {
      mesh.close();
    }
  }
}
