package io.dovetail.metadata.state;

import java.util.concurrent.ConcurrentHashMap;

/**
 * One registered application and its shuffles. Thread-safety: {@code shuffles} may be read
 * without a lock; adding or removing a shuffle, and {@code deleted}, are guarded by this object's
 * monitor. The heartbeat time is soft state (volatile, not persisted).
 */
final class AppState {
  final String appId;
  final long registeredAtMs;
  final ConcurrentHashMap<Integer, ShuffleState> shuffles = new ConcurrentHashMap<>();
  volatile long ttlMs;
  volatile long lastHeartbeatMs;
  boolean deleted; // guarded by this

  AppState(String appId, long ttlMs, long registeredAtMs, long lastHeartbeatMs) {
    this.appId = appId;
    this.ttlMs = ttlMs;
    this.registeredAtMs = registeredAtMs;
    this.lastHeartbeatMs = lastHeartbeatMs;
  }

  boolean isExpired(long nowMs) {
    return nowMs - lastHeartbeatMs > ttlMs;
  }
}
