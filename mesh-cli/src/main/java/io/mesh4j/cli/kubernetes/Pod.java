package io.mesh4j.cli.kubernetes;

/**
 * A running pod with an IP, as the Kubernetes API lists it.
 *
 * @param name its {@code metadata.name}
 * @param namespace its {@code metadata.namespace}
 * @param ip its {@code status.podIP}
 */
public record Pod(String name, String namespace, String ip) {

  /** {@code pod.namespace}, as istioctl proxy-status names a workload instance. */
  public String instanceName() {
    return name + "." + namespace;
  }

  /** {@code ip:port}, an IPv6 address in brackets. */
  public String address(int port) {
    return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port;
  }
}
