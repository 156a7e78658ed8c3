// The colours the pictures' checks render with: the --vscode-* variables of three VS Code themes.

/** The variables of three VS Code themes (Light+, Dark+, High Contrast), as a webview's <html> carries them. */
export const THEMES = {
  light: {},
  dark: {
    '--vscode-editor-background': '#1e1e1e',
    '--vscode-editor-foreground': '#d4d4d4',
    '--vscode-descriptionForeground': '#ccccccb3',
    '--vscode-editorWidget-border': '#454545',
    '--vscode-charts-green': '#89d185',
    '--vscode-charts-red': '#f14c4c',
    '--vscode-charts-orange': '#d18616',
    '--vscode-charts-blue': '#3794ff',
    '--vscode-charts-purple': '#b180d7',
    '--vscode-disabledForeground': '#cccccc80',
  },
  'high-contrast': {
    '--vscode-editor-background': '#000000',
    '--vscode-editor-foreground': '#ffffff',
    '--vscode-descriptionForeground': '#ffffff',
    '--vscode-editorWidget-border': '#6fc3df',
    '--vscode-contrastBorder': '#6fc3df',
    '--vscode-charts-green': '#89d185',
    '--vscode-charts-red': '#f48771',
    '--vscode-charts-orange': '#d18616',
    '--vscode-charts-blue': '#3794ff',
    '--vscode-charts-purple': '#b180d7',
    '--vscode-disabledForeground': '#a5a5a5',
  },
};
