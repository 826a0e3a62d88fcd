import { lifecycleSuite } from './lifecycle.case.ts';

lifecycleSuite('pglite');
