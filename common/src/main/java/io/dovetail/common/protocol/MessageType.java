package io.dovetail.common.protocol;

/** Data-plane message types. Ids are fixed on the wire and never reused. */
public enum MessageType {
  HELLO(1),
  STATUS(2),
  PUSH(3),
  PUSH_RESPONSE(4),
  SEAL(5),
  OPEN_STREAM(6),
  STREAM_OPENED(7),
  FETCH_CHUNK(8),
  CHUNK(9),
  CLOSE_STREAM(10),
  /**
   * A {@link PushRequest} a primary forwards to a replica. Its own type lets a server admit replica
   * traffic while it pauses client pushes, so two servers replicating to each other never wait on
   * each other with full budgets.
   */
  PUSH_FORWARD(11);

  private static final MessageType[] BY_ID = new MessageType[128];

  static {
    for (MessageType t : values()) {
      BY_ID[t.id] = t;
    }
  }

  private final byte id;

  MessageType(int id) {
    this.id = (byte) id;
  }

  public byte id() {
    return id;
  }

  /** The type with wire id {@code id}, or null if unknown. */
  public static MessageType fromId(byte id) {
    return id < 0 ? null : BY_ID[id];
  }
}
