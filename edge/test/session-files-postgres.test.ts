import { sessionFilesSuite } from './session-files.case.ts';

sessionFilesSuite('postgres');
