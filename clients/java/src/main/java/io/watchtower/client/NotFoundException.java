package io.watchtower.client;

/** The server answered {@code 404}, e.g. when cancelling a service it does not know. */
public class NotFoundException extends WatchtowerException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message the exception's message
     * @param serverMessage the server's {@code error} text, or {@code null}
     */
    public NotFoundException(String message, String serverMessage) {
        super(message, 404, serverMessage, null);
    }
}
