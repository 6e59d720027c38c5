/**
 * The data-plane wire protocol: versioned, length-prefixed binary frames, one small final class
 * per message.
 *
 * <pre>
 * frame  := length:int32  version:int8  type:int8  requestId:int64  fields  body
 *           (length counts every byte after itself)
 * string := length:int16  utf8-bytes
 * </pre>
 *
 * A response carries the requestId of its request. Any request may be answered by
 * {@link io.dovetail.common.protocol.StatusResponse} carrying an {@link io.dovetail.common.ErrorCode}.
 * A malformed, unknown or oversized frame is answered (when possible) and the connection closed.
 *
 * <p>Ownership: a message that carries a body ({@link io.dovetail.common.protocol.PushRequest},
 * {@link io.dovetail.common.protocol.ChunkResponse}) owns one reference to it. Writing the message
 * to a channel transfers that reference to the encoder; a receiver that is done with a decoded
 * message calls {@link io.dovetail.common.protocol.Message#release()}.
 */
package io.dovetail.common.protocol;
