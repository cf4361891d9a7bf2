package io.mesh4j.runtime.xds.resource;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.util.Set;

/**
 * Sorts the fields a control plane set on a message into three: the ones the decoder reads itself, the ones that do
 * not change what a request does (accepted and noted once), and everything else, which is rejected. New Envoy fields
 * are therefore rejected until someone decides what they mean for us.
 */
final class FieldCheck {
  private FieldCheck() {}

  /**
   * @param path the message's field path with a trailing dot, or "" at the root
   * @param owner what the note is about, e.g. "LDS HttpConnectionManager"
   */
  static void check(
      Message message, String path, Set<String> handled, Set<String> ignorable, String owner, DecodeContext context)
      throws ResourceInvalidException {
    for (FieldDescriptor field : message.getAllFields().keySet()) {
      String name = field.getName();
      if (handled.contains(name)) {
        continue;
      }
      if (ignorable.contains(name)) {
        context.ignoredField(owner + ": " + path + name);
        continue;
      }
      throw new ResourceInvalidException(path + name + ": not supported");
    }
  }
}
