package io.mesh4j.cli.xds;

import java.util.Optional;

/** The xDS resource types proxy-status has a column for, in istioctl's column order. */
public enum XdsType {
  CDS("type.googleapis.com/envoy.config.cluster.v3.Cluster"),
  LDS("type.googleapis.com/envoy.config.listener.v3.Listener"),
  EDS("type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment"),
  RDS("type.googleapis.com/envoy.config.route.v3.RouteConfiguration"),
  ECDS("type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig");

  private final String typeUrl;

  XdsType(String typeUrl) {
    this.typeUrl = typeUrl;
  }

  public String typeUrl() {
    return typeUrl;
  }

  /**
   * Whether a name missing from a response means the resource does not exist: the state-of-the-world rule for LDS
   * and CDS, whose every response lists every subscribed resource the control plane has.
   */
  public boolean absentWhenMissing() {
    return this == CDS || this == LDS;
  }

  /** The type a type URL names, if it has a column. */
  public static Optional<XdsType> of(String typeUrl) {
    for (XdsType type : values()) {
      if (type.typeUrl.equals(typeUrl)) {
        return Optional.of(type);
      }
    }
    return Optional.empty();
  }

  /** A short name for any type URL: the column name, else the message's simple name ({@code Secret}). */
  public static String shortName(String typeUrl) {
    Optional<XdsType> type = of(typeUrl);
    if (type.isPresent()) {
      return type.get().name();
    }
    int dot = typeUrl.lastIndexOf('.');
    return dot < 0 ? typeUrl : typeUrl.substring(dot + 1);
  }
}
