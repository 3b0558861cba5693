package io.watchtower.client;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Pulses a service in the background, on a daemon thread, every {@link Builder#every(Duration)
 * period} until {@linkplain #stop() stopped}; optionally cancels the service when stopped, so that
 * a clean shutdown raises no alarm while a crash (no more pulses) does.
 *
 * <pre>{@code
 * Pulse pulse = Pulse.of("worker", Duration.ofMinutes(2), AlertType.WEBHOOK, "ops");
 * try (Heartbeat heartbeat = client.heartbeat(pulse)
 *         .every(Duration.ofSeconds(30))
 *         .cancelOnStop(true)                       // retire the service on a clean stop
 *         .onError(e -> log.warn("heartbeat failed", e))
 *         .start()) {
 *     runTheWorker();
 * }
 * }</pre>
 *
 * <p>The first pulse is sent as soon as the heartbeat starts, the next ones {@code every} after
 * the start of the previous one (or right after it, if it took longer). A failed pulse is passed
 * to the error listener and the heartbeat goes on: it never stops by itself. The pulse's
 * {@code nextIn} must be at least 0.1 seconds, and the period shorter than it, which should leave
 * room for a failed pulse or two. The pulse may have a {@code grace}, but not a cron
 * {@code schedule}: a heartbeat needs a {@code nextIn}.
 *
 * <p>Thread-safe. A stopped heartbeat cannot be restarted: start a new one.
 */
public final class Heartbeat implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Heartbeat.class.getName());
    /** The server's shortest {@code nextIn}. */
    private static final Duration MIN_NEXT_IN = Duration.ofMillis(100);

    private final WatchtowerClient client;
    private final Pulse pulse;
    private final long everyNanos;
    private final boolean cancelOnStop;
    private final Consumer<? super Service> onPulse;
    private final Consumer<? super WatchtowerException> onError;
    private final ScheduledThreadPoolExecutor executor;
    private final Thread shutdownHook;
    private final AtomicLong pulses = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile Thread worker;
    private volatile Service lastService;
    private volatile WatchtowerException lastError;
    private boolean stopped; // guarded by this

    private Heartbeat(Builder b) {
        this.client = b.client;
        this.pulse = b.pulse;
        this.everyNanos = b.every.toNanos();
        this.cancelOnStop = b.cancelOnStop;
        this.onPulse = b.onPulse;
        this.onError = b.onError;
        final String threadName = "watchtower-heartbeat-" + pulse.getService();
        this.executor = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, threadName);
            thread.setDaemon(true);
            worker = thread;
            return thread;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        if (b.stopOnJvmShutdown) {
            this.shutdownHook = new Thread(this::stopQuietly, threadName + "-shutdown");
        } else {
            this.shutdownHook = null;
        }
    }

    private Heartbeat begin() {
        if (shutdownHook != null) {
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
        executor.execute(this::beat);
        return this;
    }

    private void beat() {
        long started = System.nanoTime();
        try {
            Service service = client.pulse(pulse);
            lastService = service;
            pulses.incrementAndGet();
            try {
                onPulse.accept(service);
            } catch (RuntimeException e) {
                LOG.log(java.util.logging.Level.WARNING, "the pulse listener of the heartbeat of " + pulse.getService() + " failed", e);
            }
        } catch (RuntimeException e) {
            failures.incrementAndGet();
            report(e instanceof WatchtowerException ? (WatchtowerException) e
                    : new WatchtowerException("pulse of " + pulse.getService() + " failed: " + e, 0, null, e));
        }
        long delay = Math.max(0, everyNanos - (System.nanoTime() - started));
        synchronized (this) {
            if (stopped) {
                return;
            }
            try {
                executor.schedule(this::beat, delay, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // stopped meanwhile
            }
        }
    }

    private void report(WatchtowerException error) {
        lastError = error;
        try {
            onError.accept(error);
        } catch (RuntimeException e) {
            LOG.log(java.util.logging.Level.WARNING, "the error listener of the heartbeat of " + pulse.getService() + " failed", e);
        }
    }

    /** The pulse this heartbeat sends. */
    public Pulse getPulse() {
        return pulse;
    }

    /** Whether it is still pulsing (started and not yet stopped). */
    public synchronized boolean isRunning() {
        return !stopped;
    }

    /** How many pulses succeeded so far. */
    public long getPulseCount() {
        return pulses.get();
    }

    /** How many pulses failed so far. */
    public long getFailureCount() {
        return failures.get();
    }

    /** The service as the server answered the last successful pulse, if any. */
    public Optional<Service> getLastService() {
        return Optional.ofNullable(lastService);
    }

    /** The last failure (of a pulse, or of the cancel on stop), if any. */
    public Optional<WatchtowerException> getLastError() {
        return Optional.ofNullable(lastError);
    }

    /**
     * Stops pulsing: waits for a pulse in flight to finish (at most the client's timeouts), then,
     * if {@link Builder#cancelOnStop(boolean) cancelOnStop} was set, cancels the service (a
     * failure to cancel goes to the error listener; a service already gone is fine). Idempotent.
     */
    public void stop() {
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
        }
        executor.shutdown();
        if (Thread.currentThread() != worker) {
            try {
                if (!executor.awaitTermination(client.longestRequestMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warning("a pulse of " + pulse.getService() + " is still in flight after the client's timeouts");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is shutting down: the hook is running or about to, and will find us stopped
            }
        }
        if (cancelOnStop) {
            try {
                client.cancel(pulse.getService());
            } catch (NotFoundException alreadyGone) {
                // nothing to cancel
            } catch (RuntimeException e) {
                report(e instanceof WatchtowerException ? (WatchtowerException) e
                        : new WatchtowerException("cancel of " + pulse.getService() + " failed: " + e, 0, null, e));
            }
        }
    }

    private void stopQuietly() {
        try {
            stop();
        } catch (RuntimeException e) {
            LOG.log(java.util.logging.Level.WARNING, "stopping the heartbeat of " + pulse.getService() + " failed", e);
        }
    }

    /** Same as {@link #stop()}, for try-with-resources. */
    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "Heartbeat{service=" + pulse.getService() + ", every=" + Duration.ofNanos(everyNanos)
                + ", running=" + isRunning() + ", pulses=" + pulses.get() + ", failures=" + failures.get() + "}";
    }

    /**
     * Configures a {@link Heartbeat}; get one from {@link WatchtowerClient#heartbeat(Pulse)}.
     */
    public static final class Builder {
        private final WatchtowerClient client;
        private final Pulse pulse;
        private Duration every;
        private boolean cancelOnStop;
        private boolean stopOnJvmShutdown;
        private Consumer<? super Service> onPulse = service -> {};
        private Consumer<? super WatchtowerException> onError;

        Builder(WatchtowerClient client, Pulse pulse) {
            this.client = Objects.requireNonNull(client, "client");
            this.pulse = Objects.requireNonNull(pulse, "pulse");
            if (pulse.isScheduled()) {
                throw new IllegalArgumentException("a heartbeat pulses every so often: give its pulse a nextIn,"
                        + " not a schedule (" + pulse.getSchedule() + "); send scheduled pulses with"
                        + " WatchtowerClient.pulse(Pulse) when the scheduled work is done");
            }
            final String service = pulse.getService();
            this.onError = (WatchtowerException e) -> LOG.log(java.util.logging.Level.WARNING,
                    "heartbeat of " + service + " failed: " + e.getMessage(), e);
        }

        /**
         * The time between pulses: positive and shorter than the pulse's {@code nextIn}.
         * Default: half of {@code nextIn}.
         */
        public Builder every(Duration every) {
            Objects.requireNonNull(every, "every");
            if (every.isNegative() || every.isZero()) {
                throw new IllegalArgumentException("every must be positive: " + every);
            }
            this.every = every;
            return this;
        }

        /** Whether {@link Heartbeat#stop()} cancels the service (default: false). */
        public Builder cancelOnStop(boolean cancelOnStop) {
            this.cancelOnStop = cancelOnStop;
            return this;
        }

        /**
         * Whether to {@link Heartbeat#stop() stop} (and so, with {@link #cancelOnStop(boolean)},
         * cancel) when the JVM shuts down normally: on {@code System.exit}, the end of the last
         * non-daemon thread, or SIGTERM / Ctrl-C (default: false).
         */
        public Builder stopOnJvmShutdown(boolean stopOnJvmShutdown) {
            this.stopOnJvmShutdown = stopOnJvmShutdown;
            return this;
        }

        /** Called on the heartbeat's thread with the server's answer to each successful pulse. */
        public Builder onPulse(Consumer<? super Service> listener) {
            this.onPulse = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Called on the heartbeat's thread with each failure: of a pulse (the heartbeat goes on),
         * or of the cancel on stop. Default: logged at {@code WARNING} with
         * {@code java.util.logging}.
         */
        public Builder onError(Consumer<? super WatchtowerException> listener) {
            this.onError = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Starts the heartbeat: the first pulse goes out at once, in the background.
         *
         * @throws IllegalArgumentException if the pulse's {@code nextIn} is under 0.1 seconds, or the
         *     period is not shorter than it
         */
        public Heartbeat start() {
            Duration nextIn = pulse.getNextIn();
            if (nextIn.isZero() || nextIn.isNegative()) {
                throw new IllegalArgumentException("nextIn must be positive: " + nextIn);
            }
            if (nextIn.compareTo(MIN_NEXT_IN) < 0) {
                throw new IllegalArgumentException("nextIn must be at least 0.1 seconds (100 ms): " + nextIn);
            }
            if (every == null) {
                every = nextIn.dividedBy(2);
            }
            if (every.compareTo(nextIn) >= 0) {
                throw new IllegalArgumentException("every (" + every + ") must be shorter than the pulse's nextIn ("
                        + nextIn + "), or the service dies between pulses");
            }
            return new Heartbeat(this).begin();
        }
    }
}
