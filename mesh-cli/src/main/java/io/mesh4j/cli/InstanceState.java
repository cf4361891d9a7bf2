package io.mesh4j.cli;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.admin.v3.BootstrapConfigDump;
import io.envoyproxy.envoy.admin.v3.ConfigDump;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.mesh4j.runtime.admin.ConfigDumps;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What one instance says about itself on its admin endpoint: its node (from {@code /config_dump}) and, per
 * resource, the version it holds, its state and the NACK error (from {@code /status}).
 *
 * @param error why the instance could not be read, or null
 */
record InstanceState(String address, Node node, String controlPlane, List<Resource> resources, String error) {

  /** One subscribed resource as the instance holds it. */
  record Resource(String typeUrl, String name, String version, String state, String errorDetail) {}

  static InstanceState fetch(HttpClient http, String address) {
    try {
      String dumpJson = get(http, address, "/config_dump");
      String statusJson = get(http, address, "/status");
      ConfigDump dump = ConfigDumps.parse(dumpJson);
      Node node = Node.getDefaultInstance();
      for (com.google.protobuf.Any config : dump.getConfigsList()) {
        if (config.is(BootstrapConfigDump.class)) {
          node = config.unpack(BootstrapConfigDump.class).getBootstrap().getNode();
        }
      }
      Struct.Builder status = Struct.newBuilder();
      JsonFormat.parser().merge(statusJson, status);
      List<Resource> resources = new ArrayList<>();
      ListValue list = status.getFieldsOrDefault("resources", Value.getDefaultInstance()).getListValue();
      for (Value value : list.getValuesList()) {
        Struct r = value.getStructValue();
        resources.add(new Resource(string(r, "typeUrl"), string(r, "name"), string(r, "version"),
            string(r, "state"), string(r, "errorDetail")));
      }
      return new InstanceState(address, node, string(status.build(), "controlPlane"), List.copyOf(resources), null);
    } catch (IOException e) {
      return failed(address, e.getMessage() == null ? e.toString() : e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed(address, "interrupted");
    } catch (RuntimeException e) {
      return failed(address, e.toString());
    }
  }

  static InstanceState failed(String address, String error) {
    return new InstanceState(address, Node.getDefaultInstance(), null, List.of(), error);
  }

  private static String get(HttpClient http, String address, String path) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://" + address + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(path + " answered " + response.statusCode());
    }
    return response.body();
  }

  private static String string(Struct struct, String key) {
    Value value = struct.getFieldsMap().get(key);
    return value == null || value.getKindCase() != Value.KindCase.STRING_VALUE ? null : value.getStringValue();
  }

}
