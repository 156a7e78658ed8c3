// A failure written to the client's log. The client may have gone away while a run was in
// flight: the connection is closed then, and writing to it throws; with nobody left to tell,
// the message is dropped rather than thrown out of a catch block (an unhandled rejection).

import type { Connection } from 'vscode-languageserver';

export function logError(connection: Pick<Connection, 'console'>, message: string): void {
  try {
    connection.console.error(message);
  } catch {
    // Closed: nobody to tell.
  }
}
