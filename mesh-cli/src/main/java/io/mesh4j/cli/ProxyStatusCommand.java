package io.mesh4j.cli;

import io.mesh4j.cli.current.ControlPlaneSubscriber;
import io.mesh4j.cli.instance.CsdsInstanceReader;
import io.mesh4j.cli.instance.InstanceReader;
import io.mesh4j.cli.output.FleetTable;
import io.mesh4j.cli.output.InstanceDetail;
import io.mesh4j.cli.output.JsonReport;
import io.mesh4j.cli.sync.FleetStatus;
import io.mesh4j.cli.sync.InstanceReport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code meshctl proxy-status}: istioctl's proxy-status for proxyless workloads. Each instance's state is read over
 * CSDS; what is current is learned by subscribing to the control plane as the instance's node, for the instance's
 * resource names; each column is SYNCED, NOT SENT, STALE (theirs vs current) or NACKED (error).
 */
@Command(name = "proxy-status", mixinStandardHelpOptions = true, versionProvider = MeshCtl.Version.class,
    description = {
        "Shows, per workload instance, whether its xDS config (CDS, LDS, EDS, RDS) is what the control plane serves "
            + "now: SYNCED, NOT SENT, STALE (<theirs> vs <current>) or NACKED (<error>).",
        "Instances are read over CSDS (their CSDS/admin gRPC port); the control plane is asked as an xDS client "
            + "with each instance's own node, so its debug endpoints are not needed.",
        "With INSTANCE, shows that instance in detail: every resource, both versions, NACK errors."})
final class ProxyStatusCommand implements Callable<Integer> {
  private final PrintStream out;
  private final PrintStream err;

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "INSTANCE",
      description = "One instance (host:port of its CSDS port) to show in detail.")
  String instance;

  @Option(names = "--control-plane", required = true, paramLabel = "HOST:PORT",
      description = "The xDS server to compare with (plaintext ADS), e.g. istiod:15010.")
  String controlPlane;

  @Option(names = "--instances", split = ",", paramLabel = "HOST:PORT",
      description = "Instances to show, comma-separated: host:port of each one's CSDS port.")
  List<String> instances = new ArrayList<>();

  @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "FORMAT",
      description = "table or json (default: ${DEFAULT-VALUE}).")
  OutputFormat output;

  @Option(names = {"-w", "--watch"}, description = "Redraw every --interval until interrupted.")
  boolean watch;

  @Option(names = "--interval", defaultValue = "2s", paramLabel = "DURATION",
      description = "How often --watch redraws (default: ${DEFAULT-VALUE}).")
  Duration interval;

  @Option(names = "--timeout", defaultValue = "5s", paramLabel = "DURATION",
      description = "How long to wait for an instance, and for the control plane's answers (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  enum OutputFormat { table, json }

  ProxyStatusCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() throws Exception {
    List<String> targets = targets();
    try (InstanceReader reader = new CsdsInstanceReader(timeout);
        ControlPlaneSubscriber subscriber = new ControlPlaneSubscriber(controlPlane, timeout, MeshCtl.version())) {
      FleetStatus fleet = new FleetStatus(reader, subscriber);
      if (!watch) {
        out.print(render(fleet, targets));
        out.flush();
        return 0;
      }
      try {
        while (true) {
          String frame = render(fleet, targets);
          if (output == OutputFormat.table) {
            // Home the cursor and clear the screen, as watch(1) redraws.
            out.print("\033[H\033[2J");
            out.println("Every " + interval.toMillis() / 1000.0 + "s, until interrupted (Ctrl-C)");
            out.println();
          }
          out.print(frame);
          out.flush();
          Thread.sleep(interval.toMillis());
        }
      } catch (InterruptedException stop) {
        Thread.currentThread().interrupt();
        return 0;
      }
    }
  }

  private String render(FleetStatus fleet, List<String> targets) throws InterruptedException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream frame = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    if (instance != null) {
      InstanceReport report = fleet.check(instance);
      if (output == OutputFormat.json) {
        JsonReport.printOne(report, frame);
      } else {
        InstanceDetail.print(report, controlPlane, frame);
      }
    } else {
      List<InstanceReport> reports = fleet.checkAll(targets);
      if (output == OutputFormat.json) {
        JsonReport.print(reports, frame);
      } else {
        FleetTable.print(reports, frame);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /** The instances to read, checked: a bad flag is a usage error naming it, before anything is dialled. */
  private List<String> targets() {
    String problem = HostPort.problem(controlPlane);
    if (problem != null) {
      throw new ParameterException(spec.commandLine(), "--control-plane " + problem);
    }
    if (instance != null && !instances.isEmpty()) {
      throw new ParameterException(spec.commandLine(),
          "give either one INSTANCE (for its detail) or --instances (for the table), not both");
    }
    List<String> targets = instance != null ? List.of(instance) : instances;
    if (targets.isEmpty()) {
      throw new ParameterException(spec.commandLine(),
          "name the instances: --instances host:port,... (or one INSTANCE for its detail)");
    }
    for (String target : targets) {
      problem = HostPort.problem(target);
      if (problem != null) {
        throw new ParameterException(spec.commandLine(), (instance != null ? "INSTANCE " : "--instances ") + problem);
      }
    }
    return targets;
  }
}
