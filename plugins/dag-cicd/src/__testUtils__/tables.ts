import { screen } from '@testing-library/react';

/** A table header's sort control (material-table nests a drag handle in it). */
export function sortLabel(title: string): HTMLElement {
  return screen.getAllByRole('button', { name: title })[0];
}

/** The names of the environments a table shows, top to bottom. */
export function shownEnvironmentNames(): (string | null)[] {
  return screen.getAllByText(/^ci_/).map(cell => cell.textContent);
}
