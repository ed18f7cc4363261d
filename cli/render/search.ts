/** The rows of `berth search`, after docker's search formatter. */
import type { ImageSearchResponseItem } from '../../protocol/types/image.js';
import { ellipsis } from './history.js';
import { TABLE } from './listing.js';

/** One result as templates see it. */
export interface SearchRow {
  Description: string;
  IsOfficial: string;
  Name: string;
  StarCount: string;
}

/** The header of each field in a table. */
export const SEARCH_HEADERS: Readonly<Record<keyof SearchRow, string>> = {
  Description: 'DESCRIPTION', IsOfficial: 'OFFICIAL', Name: 'NAME', StarCount: 'STARS',
};

/** The default table when no --format is given. */
export function searchFormat(format: string | undefined): string {
  return format || `${TABLE} {{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.IsOfficial}}`;
}

const DESCRIPTION_WIDTH = 45;

/**
 * The rows. Templates see IsOfficial as `[OK]` or empty, but `{{json .}}` has `"true"`/`"false"`,
 * as docker's does; a non-enumerable toJSON gives the second form.
 */
export function searchRows(items: readonly ImageSearchResponseItem[], noTrunc: boolean): SearchRow[] {
  return items.map((item) => {
    const description = item.description.replace(/[\r\n]/g, ' ');
    const row: SearchRow = {
      Description: noTrunc ? description : ellipsis(description, DESCRIPTION_WIDTH),
      IsOfficial: item.is_official ? '[OK]' : '',
      Name: item.name,
      StarCount: String(item.star_count),
    };
    const json = { ...row, IsOfficial: String(item.is_official) };
    return Object.defineProperty(row, 'toJSON', { value: () => json, enumerable: false });
  });
}
