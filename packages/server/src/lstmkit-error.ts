// The one error type of lstmkit. The contract has @lstmkit/model re-export it; until it does,
// it comes from @lstmkit/preprocess (a devDependency, so tsup inlines this one class into dist).
// isLstmkitError recognises errors from either copy, so model errors map to HTTP statuses too.
export { isLstmkitError, LstmkitError } from '@lstmkit/preprocess';
