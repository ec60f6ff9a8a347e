/** The Labs view: parts in teaching order with their progress, labs with their status, and load problems. */
import * as vscode from 'vscode';
import { CatalogProblem, Lab, describeProblem, groupByPart } from '../../core/catalog';
import { Part, partLabel } from '../../core/parts';
import { LabStatus } from '../../core/progress';
import { LabService } from '../labService';

export type LabsNode =
  | { readonly kind: 'part'; readonly part: Part; readonly labs: readonly Lab[] }
  | { readonly kind: 'lab'; readonly lab: Lab }
  | { readonly kind: 'problem'; readonly problem: CatalogProblem };

const STATUS_ICON: Record<LabStatus, vscode.ThemeIcon> = {
  notStarted: new vscode.ThemeIcon('circle-large-outline'),
  inProgress: new vscode.ThemeIcon('circle-large-filled', new vscode.ThemeColor('charts.yellow')),
  passed: new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
};

const STATUS_TEXT: Record<LabStatus, string> = {
  notStarted: 'not started',
  inProgress: 'in progress',
  passed: 'passed',
  failed: 'failed',
};

export class LabsTreeProvider implements vscode.TreeDataProvider<LabsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<LabsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly labs: LabService) {
    this.subscription = labs.onDidChange(() => this.changed.fire(undefined));
  }

  getChildren(node?: LabsNode): LabsNode[] {
    if (!node) {
      const parts: LabsNode[] = groupByPart(this.labs.catalog.labs)
        .filter((group) => group.labs.length > 0)
        .map((group) => ({ kind: 'part', part: group.part, labs: group.labs }));
      const problems: LabsNode[] = this.labs.catalog.problems.map((problem) => ({ kind: 'problem', problem }));
      return [...parts, ...problems];
    }
    return node.kind === 'part' ? node.labs.map((lab) => ({ kind: 'lab', lab })) : [];
  }

  getParent(node: LabsNode): LabsNode | undefined {
    if (node.kind !== 'lab') {
      return undefined;
    }
    return this.getChildren().find((candidate) => candidate.kind === 'part' && candidate.part.number === node.lab.manifest.part);
  }

  getTreeItem(node: LabsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'part': {
        const passed = node.labs.filter((lab) => this.labs.status(lab) === 'passed').length;
        const item = new vscode.TreeItem(partLabel(node.part), vscode.TreeItemCollapsibleState.Expanded);
        item.id = `part.${node.part.number}`;
        item.description = `${passed}/${node.labs.length}`;
        item.tooltip = `Part ${node.part.numeral}: ${node.part.title} — ${passed} of ${node.labs.length} labs passed`;
        item.contextValue = 'part';
        return item;
      }
      case 'lab': {
        const { manifest } = node.lab;
        const status = this.labs.status(node.lab);
        const item = new vscode.TreeItem(manifest.title, vscode.TreeItemCollapsibleState.None);
        item.id = `lab.${manifest.id}`;
        item.description = manifest.description;
        item.iconPath = STATUS_ICON[status];
        item.contextValue = `lab.${status}`;
        const tooltip = new vscode.MarkdownString(`**${manifest.title}** — *${STATUS_TEXT[status]}*\n\n${manifest.summary}`);
        if (manifest.minPython) {
          tooltip.appendMarkdown(`\n\nNeeds Python ${manifest.minPython} or newer.`);
        }
        item.tooltip = tooltip;
        item.accessibilityInformation = { label: `${manifest.title}, ${STATUS_TEXT[status]}: ${manifest.description}` };
        item.command = { command: 'concurrencyLabs.startLab', title: 'Start Lab', arguments: [manifest.id] };
        return item;
      }
      case 'problem': {
        const item = new vscode.TreeItem(`${node.problem.folder || 'labs'}: could not load`, vscode.TreeItemCollapsibleState.None);
        item.description = node.problem.field ? `${node.problem.field}: ${node.problem.message}` : node.problem.message;
        item.tooltip = describeProblem(node.problem);
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
        item.contextValue = 'problem';
        item.command = { command: 'concurrencyLabs.showOutput', title: 'Show Output' };
        return item;
      }
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
