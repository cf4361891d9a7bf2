package io.mesh4j.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code meshctl proxy-status --control-plane HOST:PORT --instances HOST:PORT,... [-o json] [--watch]} or
 * {@code meshctl proxy-status --control-plane HOST:PORT <instance>} for one instance's detail.
 */
public final class Meshctl {
  static final String USAGE = """
      usage: meshctl proxy-status --control-plane HOST:PORT --instances HOST:PORT[,HOST:PORT...] [-o json] [--watch]
             meshctl proxy-status --control-plane HOST:PORT INSTANCE
        --control-plane   the xDS server the instances use (meshctl subscribes to it with each instance's node)
        --instances       the instances' admin endpoints (MeshBuilder.adminPort, MESH4J_ADMIN_PORT)
        -o json           rows as JSON
        --watch           redraw every 2 seconds""";

  private Meshctl() {}

  public static void main(String[] args) throws InterruptedException {
    // Quiet: meshctl's own xDS client logs only problems.
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    System.exit(run(args, out, System.err));
  }

  /** Runs one command; returns the exit status. */
  static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
    if (args.length == 0 || !args[0].equals("proxy-status")) {
      err.println(USAGE);
      return 2;
    }
    String controlPlane = null;
    List<String> instances = new ArrayList<>();
    boolean json = false;
    boolean watch = false;
    String detail = null;
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--control-plane" -> controlPlane = i + 1 < args.length ? args[++i] : null;
        case "--instances" -> {
          if (i + 1 < args.length) {
            instances.addAll(Arrays.stream(args[++i].split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .toList());
          }
        }
        case "-o" -> json = i + 1 < args.length && args[++i].equals("json");
        case "--watch" -> watch = true;
        case "-h", "--help" -> {
          out.println(USAGE);
          return 0;
        }
        default -> {
          if (args[i].startsWith("-") || detail != null) {
            err.println("unknown argument: " + args[i]);
            err.println(USAGE);
            return 2;
          }
          detail = args[i];
        }
      }
    }
    if (controlPlane == null || instances.isEmpty() && detail == null) {
      err.println("--control-plane and --instances (or one instance) are needed");
      err.println(USAGE);
      return 2;
    }
    ProxyStatus status = new ProxyStatus(controlPlane, Duration.ofSeconds(5));
    if (detail != null) {
      status.detail(detail).forEach(out::println);
      return 0;
    }
    do {
      List<ProxyStatus.Row> rows = new ArrayList<>();
      for (String instance : instances) {
        rows.add(status.row(instance));
      }
      if (watch) {
        out.print("\033[H\033[2J");
      }
      if (json) {
        ProxyStatus.printJson(rows, out);
      } else {
        ProxyStatus.printTable(rows, out);
      }
      if (watch) {
        Thread.sleep(2000);
      }
    } while (watch);
    return 0;
  }
}
