import {describe, expect, it} from 'vitest';
import {initialUiState, reduceUiInput, type UiState} from '../../source/state/ui-state.js';

function typing(text: string): UiState {
	let ui: UiState = {...initialUiState(), input: {target: 'filter', text: ''}};
	for (const ch of text) ui = reduceUiInput(ui, ch, {});
	return ui;
}

describe('the / prompt', () => {
	it('Backspace after an emoji removes the whole emoji, not half of it', () => {
		const ui = reduceUiInput(typing('loss😀'), '', {backspace: true});
		expect(ui.input?.text).toBe('loss');
		expect(reduceUiInput(ui, '', {backspace: true}).input?.text).toBe('los');
	});

	it('Enter applies what was typed as the filter', () => {
		const ui = reduceUiInput(typing('val'), '', {return: true});
		expect(ui.input).toBeNull();
		expect(ui.filter).toBe('val');
	});
});

describe('a long paste at the / prompt', () => {
	it('is cut to 200 units without splitting an emoji', () => {
		const ui = reduceUiInput(typing('a'), '😀'.repeat(150), {});
		expect(ui.input!.text.length).toBe(199);
		expect(ui.input!.text.endsWith('😀')).toBe(true);
	});
});
