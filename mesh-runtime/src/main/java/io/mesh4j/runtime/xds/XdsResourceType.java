package io.mesh4j.runtime.xds;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Internal;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import com.google.protobuf.WireFormat;
import java.io.IOException;

/**
 * One xDS resource type: its type URL, how to name a resource, and how to decode it into a validated, immutable value.
 * The decoder is pure: the same message always gives the same value or the same error.
 *
 * @param <T> the decoded value
 */
public abstract class XdsResourceType<T> {
  private volatile Parser<? extends Message> parser;

  /** e.g. {@code type.googleapis.com/envoy.config.listener.v3.Listener}. */
  public abstract String typeUrl();

  /** A short name for logs and status: LDS, RDS, CDS, EDS. */
  public abstract String shortName();

  /** The proto class that resources of this type unpack into. */
  public abstract Class<? extends Message> messageClass();

  /**
   * Parses the bytes of a resource of this type (the value of its {@code Any}, whose type URL the caller checked).
   * {@code Any.unpack} looks the message's default instance up by reflection for every resource (about a tenth of the
   * mesh's CPU time in a 10,000-cluster push); the parser is looked up once here.
   */
  public final Message parse(ByteString bytes) throws InvalidProtocolBufferException {
    Parser<? extends Message> known = parser;
    if (known == null) {
      known = Internal.getDefaultInstance(messageClass()).getParserForType();
      parser = known;
    }
    return known.parseFrom(bytes);
  }

  /**
   * As {@link #parse(ByteString)}, given the bytes and proto last accepted under the same name (both {@code null} if
   * none): a type may reuse parts of {@code previous} whose bytes are unchanged instead of parsing them again. The
   * result must equal what {@link #parse(ByteString)} gives, and fail where it fails.
   */
  public Message parse(ByteString bytes, ByteString previousBytes, Message previous)
      throws InvalidProtocolBufferException {
    return parse(bytes);
  }

  /**
   * The number of the top-level string field that holds the resource's name ({@code name}, {@code cluster_name}), or
   * 0 when there is none to read: lets the client find the subscription a resource's bytes belong to without parsing
   * them, and so pass over a resource resent unchanged (a state-of-the-world response resends every resource of its
   * type when one changes).
   */
  protected int nameFieldNumber() {
    return 0;
  }

  /**
   * The name the resource's bytes appear to carry (the first occurrence of its name field), or {@code null} when it
   * cannot be told cheaply. Only a hint for finding the subscription: a resource is taken as resent only when its
   * bytes equal the accepted ones, which hold the name.
   */
  public final String peekName(ByteString bytes) {
    int field = nameFieldNumber();
    if (field <= 0) {
      return null;
    }
    int wanted = field << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED; // the tag of a length-delimited field
    try {
      CodedInputStream input = bytes.newCodedInput();
      for (int tag = input.readTag(); tag != 0; tag = input.readTag()) {
        if (tag == wanted) {
          return input.readStringRequireUtf8();
        }
        if (!input.skipField(tag)) {
          return null;
        }
      }
      return null;
    } catch (IOException e) {
      return null; // the parse that follows reports it
    }
  }

  /**
   * Whether a state-of-the-world response carries every resource of this type (LDS, CDS), so that a subscribed name
   * missing from it does not exist. RDS and EDS responses do not.
   */
  public abstract boolean isFullStateOfTheWorld();

  /** The resource's name, as subscribed. */
  public abstract String name(Message message);

  /** Validates and decodes; throws with a message naming the offending field. */
  public abstract T decode(Message message, DecodeContext context) throws ResourceInvalidException;

  /**
   * As {@link #decode(Message, DecodeContext)}, given the value last accepted under the same name ({@code null} if
   * none), whose parts decoded from unchanged parts of the message a type may reuse instead of decoding them again.
   * The result must be what {@link #decode(Message, DecodeContext)} gives: the same value or the same error.
   */
  public T decode(Message message, T previous, DecodeContext context) throws ResourceInvalidException {
    return decode(message, context);
  }

  @Override
  public String toString() {
    return shortName();
  }
}
