package io.mesh4j.samples.interop;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.mesh4j.Mesh;
import io.mesh4j.MeshJwt;
import io.mesh4j.grpc.MeshGrpc;
import io.mesh4j.grpc.MeshGrpcServer;
import io.mesh4j.httpserver.MeshHttpServer;
import io.mesh4j.samples.interop.proto.Empty;
import io.mesh4j.samples.interop.proto.HookRequest;
import io.mesh4j.samples.interop.proto.HookResponse;
import io.mesh4j.samples.interop.proto.Payload;
import io.mesh4j.samples.interop.proto.SimpleRequest;
import io.mesh4j.samples.interop.proto.SimpleResponse;
import io.mesh4j.samples.interop.proto.health.HealthCheckRequest;
import io.mesh4j.samples.interop.proto.health.HealthCheckResponse;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * gRPC's xDS interop test server: {@code grpc.testing.TestService} over gRPC on {@code --port} and the same two calls
 * as HTTP/1.1 {@code POST /grpc.testing.TestService/{UnaryCall,EmptyCall}} on {@code --http_port}; both always answer
 * a {@code hostname} header and honour {@code rpc-behavior}. {@code XdsUpdateHealthService} and
 * {@code grpc.health.v1.Health} are on {@code --maintenance_port} (the same server when it equals {@code --port}).
 *
 * <p>Under a mesh (an xDS bootstrap in the environment), {@code --port} and {@code --http_port} are xDS-managed: each
 * serves by its server listener (filter chains, RBAC, TLS from the bootstrap's certificate providers, plaintext where
 * a chain has none) once it arrived; the maintenance port stays plain and also serves CSDS. When the listener's
 * {@code jwt_authn} verified a token, responses carry its {@code iss/sub} in {@code jwt-principal}.
 */
public final class InteropServer implements AutoCloseable {
  static final Set<String> FLAGS = Set.of("port", "http_port", "maintenance_port", "hostname", "secure_mode",
      "address_type", "enable_csm_observability", AdminPortFlag.NAME);

  private static final Context.Key<Metadata> HEADERS = Context.key("request-headers");
  private static final MethodDescriptor<HealthCheckRequest, HealthCheckResponse> HEALTH_CHECK =
      MethodDescriptor.<HealthCheckRequest, HealthCheckResponse>newBuilder(
              ProtoUtils.marshaller(HealthCheckRequest.getDefaultInstance()),
              ProtoUtils.marshaller(HealthCheckResponse.getDefaultInstance()))
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("grpc.health.v1.Health/Check")
          .build();

  private final String hostname;
  private final Mesh mesh;
  private final Server grpcServer;
  private final Server maintenanceServer;
  private final HttpServer httpServer;
  private final ExecutorService httpExecutor = Executors.newCachedThreadPool(daemon("interop-http"));
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(daemon("interop-timer"));
  private final CountDownLatch closing = new CountDownLatch(1);
  private final AtomicBoolean serving = new AtomicBoolean(true);
  private final AtomicInteger keptOpen = new AtomicInteger();
  private final int boundPort;
  private final int boundHttpPort;
  private final int boundMaintenancePort;
  /** Completes when the xDS-managed ports have their server listeners (at once without a mesh). */
  private final CompletableFuture<Void> ready;

  private InteropServer(Mesh mesh, int port, int httpPort, int maintenancePort, String hostname) throws IOException {
    this.hostname = hostname;
    this.mesh = mesh;
    ServerServiceDefinition test = ServerInterceptors.intercept(testService(), new HeadersInterceptor());
    ServerBuilder<?> main = mesh == null
        ? Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create())
        : MeshGrpc.newServerBuilder(mesh, port);
    main.addService(test);
    boolean shared = maintenancePort == port;
    if (shared) {
      maintenanceServices(main);
    }
    grpcServer = main.build().start();
    CompletionStage<Void> grpcReady = grpcServer instanceof MeshGrpcServer meshServer
        ? meshServer.ready() : CompletableFuture.completedFuture(null);
    maintenanceServer = shared ? null
        : maintenanceServices(Grpc.newServerBuilderForPort(maintenancePort, InsecureServerCredentials.create()))
            .build().start();
    httpServer = mesh == null
        ? HttpServer.create(new InetSocketAddress(httpPort), 128)
        : MeshHttpServer.create(mesh, new InetSocketAddress(httpPort), 128);
    CompletionStage<Void> httpReady = httpServer instanceof MeshHttpServer meshHttp
        ? meshHttp.ready() : CompletableFuture.completedFuture(null);
    ready = grpcReady.toCompletableFuture().thenCombine(httpReady, (a, b) -> (Void) null);
    httpServer.createContext("/", this::serveHttp);
    httpServer.setExecutor(httpExecutor);
    httpServer.start();
    // Kept so that a stopped server can be started again on the same ports (backends_restart).
    boundPort = grpcServer.getPort();
    boundHttpPort = httpServer.getAddress().getPort();
    boundMaintenancePort = maintenanceServer == null ? boundPort : maintenanceServer.getPort();
  }

  /** Health, health updates, and under a mesh its CSDS. */
  private ServerBuilder<?> maintenanceServices(ServerBuilder<?> builder) {
    builder.addService(healthUpdateService()).addService(healthService());
    if (mesh != null) {
      builder.addService(MeshGrpc.csdsService(mesh));
    }
    return builder;
  }

  /** Starts a server; ports 0 pick free ones (see {@link #port()} etc). */
  public static InteropServer start(int port, int httpPort, int maintenancePort, String hostname) throws IOException {
    return new InteropServer(null, port, httpPort, maintenancePort, hostname);
  }

  /**
   * Starts a server whose gRPC and HTTP ports are served under {@code mesh} (their server listeners); the server
   * closes the mesh when it closes. The ports must be real ones: their listeners are named by them.
   */
  public static InteropServer startUnderMesh(Mesh mesh, int port, int httpPort, int maintenancePort, String hostname)
      throws IOException {
    try {
      return new InteropServer(mesh, port, httpPort, maintenancePort, hostname);
    } catch (IOException | RuntimeException e) {
      mesh.close();
      throw e;
    }
  }

  static InteropServer start(Flags flags) throws IOException {
    int port = flags.integer("port", 8080);
    String hostname = flags.string("hostname", InetAddress.getLocalHost().getHostName());
    int httpPort = flags.integer("http_port", 8081);
    int maintenancePort = flags.integer("maintenance_port", port);
    if (!bootstrapInEnvironment()) {
      if (flags.has(AdminPortFlag.NAME)) {
        throw new IllegalArgumentException("--admin_port needs an xDS bootstrap (GRPC_XDS_BOOTSTRAP or"
            + " GRPC_XDS_BOOTSTRAP_CONFIG): the admin endpoint is the mesh's");
      }
      if (flags.bool("secure_mode")) {
        throw new IllegalArgumentException("--secure_mode=true needs an xDS bootstrap (GRPC_XDS_BOOTSTRAP or"
            + " GRPC_XDS_BOOTSTRAP_CONFIG): TLS comes from the server listeners' filter chains");
      }
      return start(port, httpPort, maintenancePort, hostname);
    }
    // --secure_mode needs nothing more here: the filter chains say where TLS is, and with which certificates.
    return startUnderMesh(AdminPortFlag.meshFromEnvironment(flags), port, httpPort, maintenancePort, hostname);
  }

  private static boolean bootstrapInEnvironment() {
    return System.getenv("GRPC_XDS_BOOTSTRAP") != null || System.getenv("GRPC_XDS_BOOTSTRAP_CONFIG") != null
        || System.getenv("MESH_BOOTSTRAP") != null;
  }

  public int port() {
    return boundPort;
  }

  public int httpPort() {
    return boundHttpPort;
  }

  public int maintenancePort() {
    return boundMaintenancePort;
  }

  public String hostname() {
    return hostname;
  }

  /**
   * Completes when {@code --port} and {@code --http_port} serve: under a mesh once both server listeners arrived
   * (until then their connections are closed), at once otherwise.
   */
  public CompletionStage<Void> ready() {
    return ready;
  }

  public boolean serving() {
    return serving.get();
  }

  /**
   * How many calls {@code rpc-behavior: keep-open} has held open since the server started, over both ports: what a
   * circuit breaker let through, counted where the calls arrive rather than from the client's started-minus-finished.
   */
  public int keptOpen() {
    return keptOpen.get();
  }

  private ServerServiceDefinition testService() {
    return ServerServiceDefinition.builder(InteropServices.TEST_SERVICE)
        .addMethod(InteropServices.EMPTY_CALL, ServerCalls.asyncUnaryCall(
            (Empty request, StreamObserver<Empty> observer) -> answer(observer, Empty.getDefaultInstance())))
        .addMethod(InteropServices.UNARY_CALL, ServerCalls.asyncUnaryCall(
            (SimpleRequest request, StreamObserver<SimpleResponse> observer) -> answer(observer, unaryResponse(request))))
        .build();
  }

  private SimpleResponse unaryResponse(SimpleRequest request) {
    SimpleResponse.Builder response = SimpleResponse.newBuilder().setHostname(hostname).setServerId(hostname);
    if (request.getResponseSize() > 0) {
      response.setPayload(Payload.newBuilder().setBody(ByteString.copyFrom(new byte[request.getResponseSize()])));
    }
    return response.build();
  }

  /** Applies {@code rpc-behavior} from the call's headers, then answers. */
  private <T> void answer(StreamObserver<T> observer, T response) {
    Metadata headers = HEADERS.get();
    RpcBehavior behavior;
    try {
      behavior = RpcBehavior.parse(headers.getAll(InteropServices.RPC_BEHAVIOR_KEY), hostname,
          attempts(headers.get(InteropServices.PREVIOUS_ATTEMPTS_KEY), 0));
    } catch (IllegalArgumentException e) {
      observer.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    }
    Runnable reply = () -> {
      if (behavior.keepOpen()) {
        keptOpen.incrementAndGet();
        return; // held open until the client gives up or the server stops
      }
      if (behavior.errorCode() != null) {
        observer.onError(Status.fromCode(behavior.errorCode())
            .withDescription("rpc-behavior asked for " + behavior.errorCode()).asRuntimeException());
        return;
      }
      observer.onNext(response);
      observer.onCompleted();
    };
    if (behavior.sleepSeconds() > 0) {
      timer.schedule(reply, behavior.sleepSeconds(), TimeUnit.SECONDS);
    } else {
      reply.run();
    }
  }

  private void serveHttp(HttpExchange exchange) throws IOException {
    try (exchange) {
      exchange.getRequestBody().readAllBytes();
      exchange.getResponseHeaders().add(InteropServices.HOSTNAME_HEADER, hostname);
      MeshJwt jwt = MeshHttpServer.jwt(exchange);
      if (jwt != null) {
        exchange.getResponseHeaders().add(InteropServices.JWT_PRINCIPAL_HEADER, jwt.principal());
      }
      String path = exchange.getRequestURI().getPath();
      boolean known = path.equals("/" + InteropServices.UNARY_CALL.getFullMethodName())
          || path.equals("/" + InteropServices.EMPTY_CALL.getFullMethodName());
      if (!known) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      RpcBehavior behavior;
      try {
        List<String> values = exchange.getRequestHeaders().get(InteropServices.RPC_BEHAVIOR_HEADER);
        behavior = RpcBehavior.parse(values, hostname, previousHttpAttempts(exchange));
      } catch (IllegalArgumentException e) {
        respond(exchange, 400, e.getMessage());
        return;
      }
      if (behavior.sleepSeconds() > 0 && closing.await(behavior.sleepSeconds(), TimeUnit.SECONDS)) {
        return;
      }
      if (behavior.keepOpen()) {
        keptOpen.incrementAndGet();
        closing.await();
        return;
      }
      int status = behavior.errorCode() == null ? 200 : HttpStatusMapping.toHttp(behavior.errorCode());
      if (behavior.errorCode() != null) {
        // As a gRPC-aware HTTP service would: the code itself, for retry_on's gRPC conditions.
        exchange.getResponseHeaders().add("grpc-status", Integer.toString(behavior.errorCode().value()));
      }
      respond(exchange, status, status == 200 ? hostname : "rpc-behavior asked for " + behavior.errorCode());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Earlier attempts of this request: {@code grpc-previous-rpc-attempts}, else Envoy's 1-based attempt count. */
  private static int previousHttpAttempts(HttpExchange exchange) {
    String grpc = exchange.getRequestHeaders().getFirst("grpc-previous-rpc-attempts");
    if (grpc != null) {
      return attempts(grpc, 0);
    }
    return attempts(exchange.getRequestHeaders().getFirst("x-envoy-attempt-count"), 1) - 1;
  }

  private static int attempts(String value, int fallback) {
    if (value == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("attempt count '" + value + "' is not a number");
    }
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private ServerServiceDefinition healthUpdateService() {
    return ServerServiceDefinition.builder(InteropServices.HEALTH_SERVICE)
        .addMethod(InteropServices.SET_SERVING, ServerCalls.asyncUnaryCall(
            (Empty request, StreamObserver<Empty> observer) -> setServing(true, observer)))
        .addMethod(InteropServices.SET_NOT_SERVING, ServerCalls.asyncUnaryCall(
            (Empty request, StreamObserver<Empty> observer) -> setServing(false, observer)))
        .addMethod(InteropServices.SEND_HOOK_REQUEST, ServerCalls.asyncUnaryCall(
            (HookRequest request, StreamObserver<HookResponse> observer) -> observer.onError(
                Status.UNIMPLEMENTED.withDescription("hook requests are not part of the xDS tests").asRuntimeException())))
        .build();
  }

  private void setServing(boolean value, StreamObserver<Empty> observer) {
    serving.set(value);
    observer.onNext(Empty.getDefaultInstance());
    observer.onCompleted();
  }

  private ServerServiceDefinition healthService() {
    return ServerServiceDefinition.builder("grpc.health.v1.Health")
        .addMethod(HEALTH_CHECK, ServerCalls.asyncUnaryCall((request, observer) -> {
          observer.onNext(HealthCheckResponse.newBuilder().setStatus(serving.get()
              ? HealthCheckResponse.ServingStatus.SERVING : HealthCheckResponse.ServingStatus.NOT_SERVING).build());
          observer.onCompleted();
        }))
        .build();
  }

  /** Keeps the request headers for the handler and adds {@code hostname} to every response's headers. */
  private final class HeadersInterceptor implements ServerInterceptor {
    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      MeshJwt jwt = MeshGrpc.JWT.get(); // set when the listener's jwt_authn verified a token
      ServerCall<ReqT, RespT> withHostname = new SimpleForwardingServerCall<>(call) {
        private boolean headersSent;

        @Override
        public void sendHeaders(Metadata responseHeaders) {
          headersSent = true;
          responseHeaders.put(InteropServices.HOSTNAME_KEY, hostname);
          if (jwt != null) {
            responseHeaders.put(InteropServices.JWT_PRINCIPAL_KEY, jwt.principal());
          }
          super.sendHeaders(responseHeaders);
        }

        @Override
        public void close(Status status, Metadata trailers) {
          // A call failed before any header still tells the client who answered (trailers-only response).
          if (!headersSent) {
            trailers.put(InteropServices.HOSTNAME_KEY, hostname);
          }
          super.close(status, trailers);
        }
      };
      return Contexts.interceptCall(Context.current().withValue(HEADERS, headers), withHostname, headers, next);
    }
  }

  public void blockUntilShutdown() throws InterruptedException {
    grpcServer.awaitTermination();
  }

  @Override
  public void close() {
    closing.countDown();
    httpServer.stop(0);
    grpcServer.shutdownNow();
    if (maintenanceServer != null) {
      maintenanceServer.shutdownNow();
    }
    timer.shutdownNow();
    httpExecutor.shutdownNow();
    if (mesh != null) {
      mesh.close();
    }
  }

  static java.util.concurrent.ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }

}
