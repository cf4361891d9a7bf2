package io.mesh4j.cli;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.mesh4j.cli.current.ControlPlaneConnection;
import io.mesh4j.cli.current.ControlPlaneSubscriber;
import io.mesh4j.cli.current.EndpointDiscovery;
import io.mesh4j.cli.current.EndpointDiscovery.DiscoveryException;
import io.mesh4j.cli.instance.AdminInstanceReader;
import io.mesh4j.cli.instance.ChoosingInstanceReader;
import io.mesh4j.cli.instance.CsdsInstanceReader;
import io.mesh4j.cli.instance.InstanceAddress;
import io.mesh4j.cli.instance.InstanceReader;
import io.mesh4j.cli.instance.InstanceTls;
import io.mesh4j.cli.kubernetes.KubernetesApi;
import io.mesh4j.cli.kubernetes.KubernetesException;
import io.mesh4j.cli.kubernetes.KubernetesPods;
import io.mesh4j.cli.kubernetes.Pod;
import io.mesh4j.cli.output.FleetTable;
import io.mesh4j.cli.output.InstanceDetail;
import io.mesh4j.cli.output.JsonReport;
import io.mesh4j.cli.sync.FleetStatus;
import io.mesh4j.cli.sync.InstanceReport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * {@code meshctl proxy-status}: istioctl's proxy-status for proxyless workloads. Each instance's state is read on
 * its admin endpoint or over CSDS ({@link InstanceAddress} says which); what is current is learned by subscribing to the control plane as the instance's node, for the instance's
 * resource names; each column is SYNCED, NOT SENT, STALE (theirs vs current) or NACKED (error).
 */
@Command(name = "proxy-status", mixinStandardHelpOptions = true, versionProvider = MeshCtl.Version.class,
    description = {
        "Shows, per workload instance, whether its xDS config (CDS, LDS, EDS, RDS) is what the control plane serves "
            + "now: SYNCED, NOT SENT, STALE (<theirs> vs <current>) or NACKED (<error>).",
        "Instances are read on their admin endpoint (http://host:port: /status and /config_dump) or over CSDS "
            + "(csds://host:port); a bare host:port is tried as an admin endpoint, then over CSDS. The control plane "
            + "is asked as an xDS client with each instance's own node, so its debug endpoints are not needed.",
        "Instances are named (--instances), found in the control plane's EDS for a cluster (--discover), or found "
            + "as running pods through the Kubernetes API (--kubernetes).",
        "With INSTANCE, shows that instance in detail: every resource, both versions, NACK errors."})
final class ProxyStatusCommand implements Callable<Integer> {
  private final PrintStream out;
  private final PrintStream err;

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "INSTANCE",
      description = "One instance to show in detail: [http://|csds://]host:port of its admin or CSDS port.")
  String instance;

  @Option(names = "--control-plane", required = true, paramLabel = "HOST:PORT",
      description = "The xDS server to compare with, e.g. istiod.istio-system:15010 (plaintext unless "
          + "--control-plane-tls).")
  String controlPlane;

  @Option(names = "--control-plane-tls",
      description = "Reach the control plane over TLS (istiod's 15012, a managed control plane); system roots "
          + "unless --control-plane-ca.")
  boolean controlPlaneTls;

  @Option(names = "--control-plane-ca", paramLabel = "FILE",
      description = "With --control-plane-tls: PEM roots to trust for the control plane (Istio's root-cert.pem).")
  Path controlPlaneCa;

  @Option(names = "--control-plane-authority", paramLabel = "NAME",
      description = "With --control-plane-tls: the name its certificate must carry, when --control-plane is an "
          + "address (e.g. a port-forward to istiod.istio-system.svc).")
  String controlPlaneAuthority;

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "With --control-plane-tls: send 'authorization: Bearer <the file's content>' to the control "
          + "plane (a Kubernetes service account token for istiod), read for every request.")
  Path tokenFile;

  @Option(names = "--instances", split = ",", paramLabel = "HOST:PORT",
      description = "Instances to show, comma-separated: http://host:port (admin endpoint), csds://host:port "
          + "(CSDS), or host:port (admin endpoint if it answers HTTP, else CSDS).")
  List<String> instances = new ArrayList<>();

  @Option(names = "--discover", paramLabel = "CLUSTER",
      description = "Find the instances in the control plane's EDS for this cluster (e.g. "
          + "outbound|8080||catalog.shop.svc.cluster.local); each endpoint's IP with --csds-port.")
  String discover;

  @Option(names = {"--csds-port", "--admin-port"}, paramLabel = "PORT",
      description = "With --discover or --kubernetes: the port where each instance serves its admin endpoint or "
          + "CSDS (either name; tried as an admin endpoint first, as a bare host:port in --instances); with "
          + "--kubernetes 15000 unless given.")
  Integer csdsPort;

  @Option(names = "--kubernetes",
      description = "Find the instances as the running pods (with a pod IP) of --namespace that --selector "
          + "selects, through the Kubernetes API; each pod's IP with --admin-port, the row named pod.namespace.")
  boolean kubernetes;

  @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE",
      description = "With --kubernetes: the pods' namespace (default: meshctl's own pod's, else default).")
  String namespace;

  @Option(names = {"-l", "--selector"}, paramLabel = "SELECTOR",
      description = "With --kubernetes: a label selector, e.g. app=catalog or app=catalog,version!=v0 (default: "
          + "every pod of the namespace).")
  String selector;

  @Option(names = "--kube-api", paramLabel = "URL",
      description = "With --kubernetes: the API server, https://host:port (or http://127.0.0.1:8001 for 'kubectl "
          + "proxy', without a token). Default: in a pod, its service account's (KUBERNETES_SERVICE_HOST/_PORT, "
          + "its token and ca.crt).")
  URI kubeApi;

  @Option(names = "--kube-token-file", paramLabel = "FILE",
      description = "With --kubernetes: send 'Authorization: Bearer <the file's content>', read for every listing.")
  Path kubeTokenFile;

  @Option(names = "--kube-token", paramLabel = "TOKEN",
      description = "With --kubernetes: the bearer token itself (e.g. $(kubectl create token NAME)).")
  String kubeToken;

  @Option(names = "--kube-ca", paramLabel = "FILE",
      description = "With --kubernetes: PEM roots for the API server's certificate (default: the service account's "
          + "ca.crt in a pod, else the system's).")
  Path kubeCa;

  @Option(names = "--instance-tls",
      description = "Read the instances' CSDS ports over TLS (csds://, and bare host:port that do not answer HTTP); "
          + "system roots unless --instance-ca.")
  boolean instanceTls;

  @Option(names = "--instance-ca", paramLabel = "FILE",
      description = "With --instance-tls: PEM roots to trust for the instances (Istio's root-cert.pem).")
  Path instanceCa;

  @Option(names = "--instance-cert", paramLabel = "FILE",
      description = "With --instance-tls: the PEM certificate chain to present, for CSDS ports that want mTLS "
          + "(with --instance-key).")
  Path instanceCert;

  @Option(names = "--instance-key", paramLabel = "FILE",
      description = "With --instance-cert: its PKCS#8 PEM private key.")
  Path instanceKey;

  @Option(names = "--instance-authority", paramLabel = "NAME",
      description = "With --instance-tls: the name the instances' certificates must carry, when they are reached "
          + "by IP (e.g. the service's name).")
  String instanceAuthority;

  @Option(names = "--node-id", defaultValue = "meshctl", paramLabel = "ID",
      description = "With --discover: the node id to ask the control plane as (default: ${DEFAULT-VALUE}; istiod "
          + "wants a proxy's, e.g. sidecar~10.0.0.1~pod.ns~ns.svc.cluster.local).")
  String nodeId;

  @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "FORMAT",
      description = "table or json (default: ${DEFAULT-VALUE}).")
  OutputFormat output;

  @Option(names = {"-w", "--watch"}, description = "Redraw every --interval until interrupted.")
  boolean watch;

  @Option(names = "--interval", defaultValue = "2s", paramLabel = "DURATION",
      description = "How often --watch redraws (default: ${DEFAULT-VALUE}).")
  Duration interval;

  @Option(names = "--timeout", defaultValue = "5s", paramLabel = "DURATION",
      description = "How long to wait for an instance, and for the control plane's answers "
          + "(default: ${DEFAULT-VALUE}).")
  Duration timeout;

  enum OutputFormat { table, json }

  /** The port istioctl reaches a proxy's admin on, and the demo's. */
  static final int DEFAULT_ADMIN_PORT = 15000;

  ProxyStatusCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() throws Exception {
    checkFlags();
    KubernetesPods pods = null;
    if (kubernetes) {
      try {
        pods = new KubernetesPods(kubernetesApi(), timeout);
      } catch (KubernetesException e) {
        err.println("meshctl: " + e.getMessage());
        return 1;
      }
    }
    try (InstanceReader reader = new ChoosingInstanceReader(new AdminInstanceReader(timeout),
            new CsdsInstanceReader(timeout, instanceTls ? new InstanceTls(instanceCa, instanceCert, instanceKey,
                instanceAuthority) : null));
        ControlPlaneSubscriber subscriber = new ControlPlaneSubscriber(connection(), timeout, MeshCtl.version())) {
      FleetStatus fleet = new FleetStatus(reader, subscriber);
      Instances found = new Instances(new EndpointDiscovery(subscriber), pods);
      if (!watch) {
        String frame;
        try {
          frame = render(fleet, found);
        } catch (NotFound e) {
          err.println("meshctl: " + e.getMessage());
          return 1;
        }
        out.print(frame);
        out.flush();
        return 0;
      }
      try {
        while (true) {
          String frame;
          try {
            frame = render(fleet, found);
          } catch (NotFound e) {
            frame = e.getMessage() + "\n";
          }
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

  /** How the instances are found when they are not named: the control plane's EDS, or the Kubernetes API. */
  private record Instances(EndpointDiscovery discovery, KubernetesPods pods) {}

  /** The instances could not be found; the message is the line to print. */
  private static final class NotFound extends Exception {
    NotFound(String message) {
      super(message);
    }
  }

  private String render(FleetStatus fleet, Instances found) throws InterruptedException, NotFound {
    // Found again for every frame: under --watch the fleet may scale.
    List<String> targets = instances;
    List<String> names = null;
    if (discover != null) {
      try {
        targets = found.discovery().instances(Node.newBuilder().setId(nodeId).build(), discover, csdsPort);
      } catch (DiscoveryException e) {
        throw new NotFound("cannot discover the instances of " + discover + ": " + e.getMessage());
      }
    } else if (kubernetes) {
      List<Pod> pods;
      try {
        pods = found.pods().running(podNamespace(), selector);
      } catch (KubernetesException e) {
        throw new NotFound("cannot list the pods: " + e.getMessage());
      }
      int port = csdsPort == null ? DEFAULT_ADMIN_PORT : csdsPort;
      targets = pods.stream().map(pod -> pod.address(port)).toList();
      names = pods.stream().map(Pod::instanceName).toList();
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream frame = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    if (instance != null) {
      InstanceReport report = fleet.check(instance);
      if (output == OutputFormat.json) {
        JsonReport.printOne(report, frame);
      } else {
        InstanceDetail.print(report, controlPlane, frame);
      }
    } else if (targets.isEmpty()) {
      frame.println(kubernetes
          ? "No running pod with an IP" + (selector == null ? "" : " matches " + selector) + " in namespace "
              + podNamespace() + "."
          : "The control plane lists no endpoints in " + discover + ".");
    } else {
      List<InstanceReport> reports = fleet.checkAll(targets);
      if (names != null) {
        List<InstanceReport> named = new ArrayList<>();
        for (int i = 0; i < reports.size(); i++) {
          named.add(reports.get(i).named(names.get(i)));
        }
        reports = named;
      }
      if (output == OutputFormat.json) {
        JsonReport.print(reports, frame);
      } else {
        FleetTable.print(reports, frame);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /** --namespace, else the namespace of the pod meshctl runs in (with the in-cluster API), else default. */
  private String podNamespace() {
    if (namespace != null) {
      return namespace;
    }
    String own = kubeApi == null ? KubernetesApi.podNamespace(KubernetesApi.SERVICE_ACCOUNT) : null;
    return own == null ? "default" : own;
  }

  /** --kube-api with its token and CA, else the pod's service account, with any of them overridden by a flag. */
  private KubernetesApi kubernetesApi() throws KubernetesException {
    if (kubeApi != null) {
      return new KubernetesApi(kubeApi, kubeTokenFile, kubeToken, kubeCa);
    }
    KubernetesApi inCluster = KubernetesApi.inCluster(System.getenv(), KubernetesApi.SERVICE_ACCOUNT);
    boolean ownToken = kubeTokenFile != null || kubeToken != null;
    return new KubernetesApi(inCluster.server(), ownToken ? kubeTokenFile : inCluster.tokenFile(), kubeToken,
        kubeCa != null ? kubeCa : inCluster.caFile());
  }

  /** A bad flag is a usage error naming it, before anything is dialled. */
  private void checkFlags() {
    String problem = HostPort.problem(controlPlane);
    if (problem != null) {
      throw usage("--control-plane " + problem);
    }
    if (!controlPlaneTls) {
      for (Object tlsOnly : new Object[] {controlPlaneCa, controlPlaneAuthority, tokenFile}) {
        if (tlsOnly != null) {
          throw usage("--control-plane-ca, --control-plane-authority and --token-file need --control-plane-tls "
              + "(a token is never sent in plaintext)");
        }
      }
    }
    if (controlPlaneCa != null && !Files.isReadable(controlPlaneCa)) {
      throw usage("--control-plane-ca " + controlPlaneCa + " cannot be read");
    }
    if (tokenFile != null && !Files.isReadable(tokenFile)) {
      throw usage("--token-file " + tokenFile + " cannot be read");
    }
    if (!instanceTls && (instanceCa != null || instanceCert != null || instanceKey != null
        || instanceAuthority != null)) {
      throw usage("--instance-ca, --instance-cert, --instance-key and --instance-authority need --instance-tls");
    }
    if ((instanceCert == null) != (instanceKey == null)) {
      throw usage("--instance-cert and --instance-key go together");
    }
    for (Path file : new Path[] {instanceCa, instanceCert, instanceKey}) {
      if (file != null && !Files.isReadable(file)) {
        throw usage("--instance-" + (file == instanceCa ? "ca " : file == instanceCert ? "cert " : "key ") + file
            + " cannot be read");
      }
    }
    int ways = (instance != null ? 1 : 0) + (instances.isEmpty() ? 0 : 1) + (discover != null ? 1 : 0)
        + (kubernetes ? 1 : 0);
    if (ways == 0) {
      throw usage("name the instances: --instances host:port,..., --discover CLUSTER --csds-port PORT or "
          + "--kubernetes --selector LABELS (or one INSTANCE for its detail)");
    }
    if (ways > 1) {
      throw usage("give one of INSTANCE (for its detail), --instances, --discover or --kubernetes");
    }
    checkKubernetesFlags();
    if (discover != null && csdsPort == null) {
      throw usage("--discover needs --csds-port: the port where the instances serve CSDS");
    }
    if (csdsPort != null && (csdsPort < 1 || csdsPort > 65535)) {
      throw usage("--csds-port " + csdsPort + " is out of range");
    }
    List<String> named = instance != null ? List.of(instance) : instances;
    for (String target : named) {
      problem = HostPort.problem(InstanceAddress.parse(target).hostPort());
      if (problem != null) {
        throw usage((instance != null ? "INSTANCE " : "--instances ") + problem);
      }
    }
  }

  private void checkKubernetesFlags() {
    if (!kubernetes) {
      for (Object kubeOnly : new Object[] {namespace, selector, kubeApi, kubeTokenFile, kubeToken, kubeCa}) {
        if (kubeOnly != null) {
          throw usage("--namespace, --selector, --kube-api, --kube-token-file, --kube-token and --kube-ca need "
              + "--kubernetes");
        }
      }
      return;
    }
    if (kubeTokenFile != null && kubeToken != null) {
      throw usage("give --kube-token-file or --kube-token, not both");
    }
    if (kubeTokenFile != null && !Files.isReadable(kubeTokenFile)) {
      throw usage("--kube-token-file " + kubeTokenFile + " cannot be read");
    }
    if (kubeCa != null && !Files.isReadable(kubeCa)) {
      throw usage("--kube-ca " + kubeCa + " cannot be read");
    }
    if (kubeApi != null) {
      try {
        new KubernetesApi(kubeApi, kubeTokenFile, kubeToken, kubeCa);
      } catch (IllegalArgumentException e) {
        throw usage("--kube-api " + kubeApi + ": " + e.getMessage());
      }
    }
  }

  private ControlPlaneConnection connection() {
    return controlPlaneTls
        ? new ControlPlaneConnection(controlPlane, true, controlPlaneCa, controlPlaneAuthority, tokenFile)
        : ControlPlaneConnection.plaintext(controlPlane);
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
