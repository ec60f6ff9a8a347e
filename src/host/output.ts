import * as vscode from 'vscode';

/** The extension's one output channel ("Concurrency Labs"), for problems and raw runner output. */
export class Output implements vscode.Disposable {
  readonly channel = vscode.window.createOutputChannel('Concurrency Labs');

  line(message: string): void {
    this.channel.appendLine(`[${new Date().toLocaleTimeString()}] ${message}`);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
