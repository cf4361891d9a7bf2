package io.mesh4j.runtime;

import io.envoyproxy.envoy.config.core.v3.Node;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * This instance's address, as a sidecar would see the application's connections come from it: the first of
 * Istio's {@code INSTANCE_IPS} node metadata (what the proxyless injector puts in the bootstrap), else the local
 * host's address.
 */
final class InstanceAddress {
  private InstanceAddress() {}

  /** The address, or {@code null} when neither the bootstrap nor the host names one. */
  static String of(Node node) {
    if (node.getMetadata().containsFields("INSTANCE_IPS")) {
      String ips = node.getMetadata().getFieldsOrThrow("INSTANCE_IPS").getStringValue();
      String first = ips.split(",", -1)[0].trim();
      if (!first.isEmpty()) {
        return first;
      }
    }
    try {
      return InetAddress.getLocalHost().getHostAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
