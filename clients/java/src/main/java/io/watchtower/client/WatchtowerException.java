package io.watchtower.client;

/**
 * A request to Watchtower failed. The base class of every error this library throws.
 *
 * <p>The exceptions are <em>unchecked</em>: most callers of a monitoring client cannot do
 * anything useful about a failure at the call site except log it or let it propagate, and a
 * checked exception would force boilerplate on every pulse. Catch the subclass you can act on:
 *
 * <ul>
 *   <li>{@link AuthenticationException}: {@code 401}, the password (or API key) is missing,
 *       wrong, expired or revoked;
 *   <li>{@link ForbiddenException}: {@code 403}, the credential is valid but its scope or prefix
 *       does not allow the request;
 *   <li>{@link InvalidRequestException}: {@code 400} or {@code 422}, with {@link InvalidRequestException#getField()
 *       the field} the server rejected;
 *   <li>{@link NotFoundException}: {@code 404}, e.g. cancelling a service that does not exist;
 *   <li>{@link ServerUnavailableException}: a {@code 5xx}, a refused connection, a timeout or another
 *       network failure: worth retrying later.
 * </ul>
 *
 * <p>Anything else (e.g. {@code 409} when creating a key whose name a live key has, {@code 413}
 * for a too large body, a TLS handshake failure because the server's certificate is not trusted)
 * is a plain {@code WatchtowerException}.
 *
 * <pre>{@code
 * try {
 *     client.cancel("backup");
 * } catch (NotFoundException e) {
 *     // already gone
 * } catch (WatchtowerException e) {
 *     log.warn("could not cancel: {} (HTTP {})", e.getServerMessage(), e.getStatus());
 * }
 * }</pre>
 */
public class WatchtowerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String serverMessage;

    /**
     * @param message the exception's message
     * @param status the HTTP status, or {@code 0} when no response was received
     * @param serverMessage the {@code error} text of the server's answer, or {@code null}
     * @param cause the underlying exception, or {@code null}
     */
    public WatchtowerException(String message, int status, String serverMessage, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.serverMessage = serverMessage;
    }

    /** The HTTP status of the server's answer, or {@code 0} if there was no answer. */
    public int getStatus() {
        return status;
    }

    /**
     * The server's own description of the problem, the {@code error} field of its JSON answer
     * (e.g. {@code "nextIn: must be a positive number of seconds"}), or {@code null} when there
     * was no answer or it carried none.
     */
    public String getServerMessage() {
        return serverMessage;
    }
}
