package io.mesh4j.runtime.xds;

import io.envoyproxy.envoy.config.core.v3.ConfigSource;

/** ConfigSource checks: we only fetch over the ADS stream we already have. */
public final class ConfigSources {
  private ConfigSources() {}

  /**
   * Accepts {@code ads} or {@code self}, and an empty source when {@code emptyMeansAds} (as gRPC treats an unset
   * {@code eds_config}); {@code initial_fetch_timeout} and {@code resource_api_version} are honoured implicitly
   * (the client's own timeout; V3 only).
   */
  @SuppressWarnings("deprecation") // ApiVersion.V2: named only to reject it
  public static void requireAds(ConfigSource source, String path, boolean emptyMeansAds) throws ResourceInvalidException {
    switch (source.getConfigSourceSpecifierCase()) {
      case ADS:
      case SELF:
        break;
      case CONFIGSOURCESPECIFIER_NOT_SET:
        if (!emptyMeansAds) {
          throw new ResourceInvalidException(path + ": must be ads or self");
        }
        break;
      default:
        throw new ResourceInvalidException(
            path + "." + source.getConfigSourceSpecifierCase().name().toLowerCase(java.util.Locale.ROOT)
                + ": not supported (only ads or self)");
    }
    if (source.getResourceApiVersion() == io.envoyproxy.envoy.config.core.v3.ApiVersion.V2) {
      throw new ResourceInvalidException(path + ".resource_api_version: V2 is not supported");
    }
    if (source.getAuthoritiesCount() > 0) {
      throw new ResourceInvalidException(path + ".authorities: not supported");
    }
  }
}
