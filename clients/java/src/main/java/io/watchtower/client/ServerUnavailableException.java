package io.watchtower.client;

/**
 * The server could not be reached or could not serve the request: a {@code 5xx} answer (such
 * as {@code 503} while its storage is unavailable, or {@code 502} when an alert channel did not
 * take a {@linkplain WatchtowerClient#testAlert(String, String) test alert}, the
 * {@linkplain #getServerMessage() server's message} naming it), a refused or reset connection,
 * an unknown host, or a connect or read timeout. The request may succeed if retried later.
 *
 * <p>{@link #getStatus()} is {@code 0} when no answer was received; {@link #isTimeout()} tells
 * whether the request timed out (in which case the server may still have carried it out).
 */
public class ServerUnavailableException extends WatchtowerException {
    private static final long serialVersionUID = 1L;

    private final boolean timeout;

    /**
     * @param message the exception's message
     * @param status the HTTP status, or {@code 0} when no response was received
     * @param serverMessage the server's {@code error} text, or {@code null}
     * @param cause the underlying exception, or {@code null}
     * @param timeout whether the request timed out
     */
    public ServerUnavailableException(
            String message, int status, String serverMessage, Throwable cause, boolean timeout) {
        super(message, status, serverMessage, cause);
        this.timeout = timeout;
    }

    /** Whether the request timed out (connecting, or waiting for the answer). */
    public boolean isTimeout() {
        return timeout;
    }
}
