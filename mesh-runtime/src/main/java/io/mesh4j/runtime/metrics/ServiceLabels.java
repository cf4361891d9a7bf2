package io.mesh4j.runtime.metrics;

/**
 * The service a request went to, as Istio's metrics name it: {@code destination_service} (the host),
 * {@code destination_service_name} and {@code destination_service_namespace}.
 */
public record ServiceLabels(String service, String name, String namespace) {
  public static final ServiceLabels UNKNOWN =
      new ServiceLabels(WorkloadLabels.UNKNOWN, WorkloadLabels.UNKNOWN, WorkloadLabels.UNKNOWN);

  /**
   * From a cluster name: Istio's {@code outbound|port|subset|fqdn} gives the host, and for a Kubernetes service
   * ({@code name.namespace.svc...}) its name and namespace; any other host is its own name with the namespace
   * unknown (a ServiceEntry's namespace is not in its name). A cluster named otherwise stands for itself.
   */
  public static ServiceLabels fromClusterName(String cluster) {
    if (cluster == null || cluster.isEmpty()) {
      return UNKNOWN;
    }
    String host = cluster;
    if (cluster.startsWith("outbound|") || cluster.startsWith("inbound|")) {
      int last = cluster.lastIndexOf('|');
      host = cluster.substring(last + 1);
      if (host.isEmpty()) {
        return UNKNOWN;
      }
    }
    return fromHost(host);
  }

  /** From a service host name ({@code reviews.default.svc.cluster.local}). */
  public static ServiceLabels fromHost(String host) {
    int firstDot = host.indexOf('.');
    if (firstDot > 0) {
      int secondDot = host.indexOf('.', firstDot + 1);
      if (secondDot > firstDot + 1 && host.startsWith("svc", secondDot + 1)
          && (host.length() == secondDot + 4 || host.charAt(secondDot + 4) == '.')) {
        return new ServiceLabels(host, host.substring(0, firstDot), host.substring(firstDot + 1, secondDot));
      }
    }
    return new ServiceLabels(host, host, WorkloadLabels.UNKNOWN);
  }
}
