// The fsm extension: starts the language server (`fsm lsp`) over stdio for
// `.fsm` files. Highlighting comes from the TextMate grammar alone, so it
// works without the server.
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

/** @type {LanguageClient | undefined} */
let client;
/** @type {vscode.OutputChannel | undefined} */
let output;

/** The server command from the settings: `fsm.server.path` plus `lsp`. */
function serverCommand() {
  const config = vscode.workspace.getConfiguration('fsm');
  const path = (config.get('server.path') || 'fsm').trim() || 'fsm';
  const extra = config.get('server.extraArgs') || [];
  return { command: path, args: ['lsp', ...extra], transport: TransportKind.stdio };
}

async function start() {
  const server = serverCommand();
  client = new LanguageClient(
    'fsm',
    'fsm language server',
    { run: server, debug: server },
    {
      documentSelector: [
        { scheme: 'file', language: 'fsm' },
        { scheme: 'untitled', language: 'fsm' },
      ],
      outputChannel: output,
      synchronize: {
        fileEvents: vscode.workspace.createFileSystemWatcher('**/*.fsm'),
      },
    },
  );
  try {
    await client.start();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    client = undefined;
    const choice = await vscode.window.showErrorMessage(
      `Cannot start the fsm language server \`${server.command} lsp\`: ${message}. ` +
        'Install the `fsm` command or set `fsm.server.path`.',
      'Open Settings',
    );
    if (choice === 'Open Settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'fsm.server');
    }
  }
}

async function stop() {
  if (client) {
    const running = client;
    client = undefined;
    await running.stop();
  }
}

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  output = vscode.window.createOutputChannel('fsm language server');
  context.subscriptions.push(output);
  context.subscriptions.push(
    vscode.commands.registerCommand('fsm.restartServer', async () => {
      await stop();
      await start();
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration('fsm.server')) {
        await stop();
        await start();
      }
    }),
  );
  await start();
}

function deactivate() {
  return stop();
}

module.exports = { activate, deactivate };
