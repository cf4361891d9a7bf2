package io.mesh4j.samples.interop;

/**
 * {@code java -jar mesh-interop.jar client [flags]} or {@code java -jar mesh-interop.jar server [flags]}: gRPC's xDS
 * interop test client and server, with gRPC's flag names.
 */
public final class InteropMain {
  private static final String DISABLED_SERVER_EXTENSIONS = "jdk.tls.server.disableExtensions";

  private InteropMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || !(args[0].equals("client") || args[0].equals("server"))) {
      System.err.println("usage: mesh-interop.jar client --server=xds:///host:port [--stats_port=8081] [--qps=1]"
          + " [--num_channels=1] [--rpc=UnaryCall,EmptyCall] [--metadata=EmptyCall:key:value,...]"
          + " [--rpc_timeout_sec=20] [--fail_on_failed_rpc=false] [--transport=grpc|okhttp] [--admin_port=N]\n"
          + "       mesh-interop.jar server --port=8080 --http_port=8081 --maintenance_port=8080 --hostname=NAME"
          + " [--admin_port=N]");
      System.exit(2);
      return;
    }
    if (args[0].equals("server") && System.getProperty(DISABLED_SERVER_EXTENSIONS) == null) {
      // Envoy and istiod-configured clients send Istio's SNI (outbound_.8080_._.host), which is not a host name:
      // JSSE on Java 17 refuses such a ClientHello (illegal_parameter) while parsing it. The mesh reads the SNI
      // itself to choose filter chains, so the TLS stack need not; set before any TLS class is used.
      System.setProperty(DISABLED_SERVER_EXTENSIONS, "server_name");
    }
    try {
      if (args[0].equals("client")) {
        InteropClient client = InteropClient.start(Flags.parse(args, 1, InteropClient.FLAGS));
        Runtime.getRuntime().addShutdownHook(new Thread(client::close));
        client.blockUntilShutdown();
      } else {
        InteropServer server = InteropServer.start(Flags.parse(args, 1, InteropServer.FLAGS));
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        System.out.println("serving gRPC on " + server.port() + ", HTTP on " + server.httpPort()
            + ", maintenance on " + server.maintenancePort() + " as " + server.hostname());
        server.blockUntilShutdown();
      }
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
    }
  }
}
