package io.mesh4j.runtime.route;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses a RouteConfiguration given the bytes and proto last accepted under its name, taking each virtual host whose
 * serialized form is unchanged from the previous proto instead of parsing it again. istiod resends its one table of
 * every virtual host for any route change; with the same host objects, the decoder's check that a host is unchanged
 * is an identity comparison. The result equals a full parse of the bytes, and fails where it fails.
 */
final class RouteConfigurationParser {
  private static final int VIRTUAL_HOST_TAG =
      RouteConfiguration.VIRTUAL_HOSTS_FIELD_NUMBER << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;
  /** CodedInputStream's default: a host parsed apart starts one level down, as inside the whole message. */
  private static final int RECURSION_LIMIT = 100;

  private RouteConfigurationParser() {}

  static RouteConfiguration parse(ByteString bytes, ByteString previousBytes, RouteConfiguration previous)
      throws InvalidProtocolBufferException {
    Map<ByteString, VirtualHost> known = previousBytes == null || previous == null
        ? null
        : hostsBySerializedForm(previousBytes, previous);
    if (known == null) {
      return RouteConfiguration.parseFrom(bytes);
    }
    try {
      ByteString.Output rest = ByteString.newOutput();
      CodedOutputStream restOut = CodedOutputStream.newInstance(rest);
      List<VirtualHost> hosts = new ArrayList<>();
      CodedInputStream input = bytes.newCodedInput();
      for (int tag = input.readTag(); tag != 0; tag = input.readTag()) {
        if (tag == VIRTUAL_HOST_TAG) {
          ByteString host = input.readBytes();
          VirtualHost same = known.get(host);
          hosts.add(same != null ? same : parseHost(host));
        } else if (!input.skipField(tag, restOut)) {
          break; // an end-group tag: the full parse of the rest reports it as it would
        }
      }
      restOut.flush();
      // Everything but the hosts, in its own order; the hosts keep theirs.
      return RouteConfiguration.parseFrom(rest.toByteString()).toBuilder().addAllVirtualHosts(hosts).build();
    } catch (InvalidProtocolBufferException e) {
      return RouteConfiguration.parseFrom(bytes); // fails as the full parse does, with its message
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory failed", e);
    }
  }

  private static VirtualHost parseHost(ByteString host) throws InvalidProtocolBufferException {
    CodedInputStream input = host.newCodedInput();
    input.setRecursionLimit(RECURSION_LIMIT - 1);
    VirtualHost parsed = VirtualHost.parser().parseFrom(input);
    input.checkLastTagWas(0);
    return parsed;
  }

  /** The previous proto's hosts by their bytes in {@code previousBytes}, or {@code null} if they do not line up. */
  private static Map<ByteString, VirtualHost> hostsBySerializedForm(ByteString previousBytes,
      RouteConfiguration previous) {
    Map<ByteString, VirtualHost> hosts = new HashMap<>();
    int index = 0;
    try {
      CodedInputStream input = previousBytes.newCodedInput();
      for (int tag = input.readTag(); tag != 0; tag = input.readTag()) {
        if (tag == VIRTUAL_HOST_TAG) {
          if (index >= previous.getVirtualHostsCount()) {
            return null;
          }
          hosts.putIfAbsent(input.readBytes(), previous.getVirtualHosts(index++));
        } else if (!input.skipField(tag)) {
          return null;
        }
      }
    } catch (IOException e) {
      return null;
    }
    return index == previous.getVirtualHostsCount() ? hosts : null;
  }
}
