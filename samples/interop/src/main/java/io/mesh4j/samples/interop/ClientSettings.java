package io.mesh4j.samples.interop;

import io.mesh4j.samples.interop.proto.ClientConfigureRequest;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What the client sends, changeable at run time by {@code XdsUpdateClientConfigureService/Configure}: the RPC types,
 * metadata per type and the per-RPC timeout. Immutable; replaced as a whole.
 */
record ClientSettings(List<RpcType> types, Map<RpcType, List<Map.Entry<String, String>>> metadata, int timeoutSec) {
  ClientSettings {
    types = List.copyOf(types);
    EnumMap<RpcType, List<Map.Entry<String, String>>> copy = new EnumMap<>(RpcType.class);
    metadata.forEach((type, entries) -> copy.put(type, List.copyOf(entries)));
    metadata = copy;
  }

  List<Map.Entry<String, String>> metadataFor(RpcType type) {
    return metadata.getOrDefault(type, List.of());
  }

  /** From flags: {@code --rpc=UnaryCall,EmptyCall} and {@code --metadata=EmptyCall:key:value,UnaryCall:key:value}. */
  static ClientSettings fromFlags(String rpc, String metadataFlag, int timeoutSec) {
    List<RpcType> types = new ArrayList<>();
    for (String name : rpc.split(",")) {
      if (!name.isBlank()) {
        types.add(RpcType.ofMethod(name.trim()));
      }
    }
    EnumMap<RpcType, List<Map.Entry<String, String>>> metadata = new EnumMap<>(RpcType.class);
    for (String item : metadataFlag.split(",")) {
      if (item.isBlank()) {
        continue;
      }
      String[] parts = item.split(":", 3);
      if (parts.length != 3) {
        throw new IllegalArgumentException("--metadata item '" + item + "' is not Method:key:value");
      }
      metadata.computeIfAbsent(RpcType.ofMethod(parts[0]), t -> new ArrayList<>())
          .add(Map.entry(parts[1].toLowerCase(java.util.Locale.ROOT), parts[2]));
    }
    return new ClientSettings(types, metadata, timeoutSec);
  }

  /** As Configure asks; a zero timeout keeps the command line's. */
  ClientSettings configure(ClientConfigureRequest request, int commandLineTimeoutSec) {
    List<RpcType> newTypes = new ArrayList<>();
    for (ClientConfigureRequest.RpcType type : request.getTypesList()) {
      newTypes.add(RpcType.of(type));
    }
    EnumMap<RpcType, List<Map.Entry<String, String>>> newMetadata = new EnumMap<>(RpcType.class);
    for (ClientConfigureRequest.Metadata m : request.getMetadataList()) {
      newMetadata.computeIfAbsent(RpcType.of(m.getType()), t -> new ArrayList<>())
          .add(Map.entry(m.getKey().toLowerCase(java.util.Locale.ROOT), m.getValue()));
    }
    int timeout = request.getTimeoutSec() > 0 ? request.getTimeoutSec() : commandLineTimeoutSec;
    return new ClientSettings(newTypes, newMetadata, timeout);
  }
}
