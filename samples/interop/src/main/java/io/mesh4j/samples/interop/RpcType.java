package io.mesh4j.samples.interop;

import io.mesh4j.samples.interop.proto.ClientConfigureRequest;

/** The two RPCs the xDS test client sends, by their method name and by their configuration enum name. */
enum RpcType {
  EMPTY_CALL("EmptyCall", ClientConfigureRequest.RpcType.EMPTY_CALL),
  UNARY_CALL("UnaryCall", ClientConfigureRequest.RpcType.UNARY_CALL);

  final String methodName;
  final ClientConfigureRequest.RpcType proto;

  RpcType(String methodName, ClientConfigureRequest.RpcType proto) {
    this.methodName = methodName;
    this.proto = proto;
  }

  static RpcType ofMethod(String methodName) {
    for (RpcType type : values()) {
      if (type.methodName.equals(methodName)) {
        return type;
      }
    }
    throw new IllegalArgumentException("unknown RPC '" + methodName + "': UnaryCall or EmptyCall");
  }

  static RpcType of(ClientConfigureRequest.RpcType proto) {
    for (RpcType type : values()) {
      if (type.proto == proto) {
        return type;
      }
    }
    throw new IllegalArgumentException("unknown RPC type " + proto);
  }
}
