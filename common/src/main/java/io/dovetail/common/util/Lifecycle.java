package io.dovetail.common.util;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The lifecycle of a service: NEW, STARTING, RUNNING, CLOSING, CLOSED (FAILED from STARTING).
 * Thread-safe.
 */
public final class Lifecycle {
  /** Service states. */
  public enum State { NEW, STARTING, RUNNING, CLOSING, CLOSED, FAILED }

  private final String name;
  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);

  public Lifecycle(String name) {
    this.name = name;
  }

  public State state() {
    return state.get();
  }

  public boolean isRunning() {
    return state.get() == State.RUNNING;
  }

  /** NEW to STARTING; anything else is a programming error. */
  public void starting() {
    transition(State.NEW, State.STARTING);
  }

  public void running() {
    transition(State.STARTING, State.RUNNING);
  }

  public void failed() {
    state.set(State.FAILED);
  }

  /** Moves to CLOSING; returns false if the service is closing or closed already. */
  public boolean closing() {
    while (true) {
      State s = state.get();
      if (s == State.CLOSING || s == State.CLOSED) {
        return false;
      }
      if (state.compareAndSet(s, State.CLOSING)) {
        return true;
      }
    }
  }

  public void closed() {
    state.set(State.CLOSED);
  }

  private void transition(State from, State to) {
    if (!state.compareAndSet(from, to)) {
      throw new IllegalStateException(name + " is " + state.get() + ", expected " + from);
    }
  }

  @Override
  public String toString() {
    return name + "[" + state.get() + "]";
  }
}
