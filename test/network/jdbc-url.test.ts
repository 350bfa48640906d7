/**
 * The one JDBC URL reader (lib/contract/jdbc-url.ts), which the synth-time path reader and the
 * deploy-time inspection share (review finding 4).
 */
import { dataStoreOf } from '../../core/inspect-network';
import { parseJdbcUrl } from '../../lib/contract/jdbc-url';

describe('parseJdbcUrl', () => {
  test.each([
    ['jdbc:postgresql://db.example.com:5433/orders', 'postgresql', 'db.example.com', 5433],
    ['jdbc:postgresql://db.example.com/orders', 'postgresql', 'db.example.com', 5432],
    ['jdbc:mysql://db.example.com:3307/orders', 'mysql', 'db.example.com', 3307],
    ['jdbc:mysql://db.example.com/orders', 'mysql', 'db.example.com', 3306],
    ['jdbc:oracle:thin:@db.example.com:1522:ORCL', 'oracle:thin', 'db.example.com', 1522],
    ['jdbc:oracle:thin:@//db.example.com:1523/orders.example.com', 'oracle:thin', 'db.example.com', 1523],
    ['jdbc:oracle:thin://@db.example.com:1524/orders', 'oracle:thin', 'db.example.com', 1524],
    ['jdbc:oracle:thin:@db.example.com', 'oracle:thin', 'db.example.com', 1521],
    ['jdbc:sqlserver://db.example.com:1434;databaseName=orders', 'sqlserver', 'db.example.com', 1434],
    ['jdbc:sqlserver://db.example.com;databaseName=orders', 'sqlserver', 'db.example.com', 1433],
    ['jdbc:redshift://cluster.abc.eu-west-1.redshift.amazonaws.com:5440/dev', 'redshift', 'cluster.abc.eu-west-1.redshift.amazonaws.com', 5440],
    ['jdbc:redshift:iam://cluster.abc.eu-west-1.redshift.amazonaws.com/dev', 'redshift:iam', 'cluster.abc.eu-west-1.redshift.amazonaws.com', 5439],
    ['jdbc:postgresql://[2001:db8::1]:5432/orders', 'postgresql', '2001:db8::1', 5432],
  ])('%s', (url, subprotocol, host, port) => {
    expect(parseJdbcUrl(url)).toMatchObject({ subprotocol, host, port });
  });

  test('not a JDBC URL: undefined', () => {
    expect(parseJdbcUrl('postgresql://db.example.com/orders')).toBeUndefined();
    expect(parseJdbcUrl('jdbc:postgresql:orders')).toBeUndefined();
  });
});

describe('the deploy-time inspection reads the same data store', () => {
  test.each([
    ['jdbc:oracle:thin:@db.example.com:1521:ORCL', 'db.example.com', 1521],
    ['jdbc:redshift:iam://cluster.example.com:5439/dev', 'cluster.example.com', 5439],
    ['jdbc:postgresql://db.example.com/orders', 'db.example.com', 5432],
  ])('%s', (url, host, port) => {
    expect(dataStoreOf({ JDBC_CONNECTION_URL: url })).toMatchObject({ host, port });
  });

  test('HOST and PORT without a URL; a URL without a port takes PORT before the default', () => {
    expect(dataStoreOf({ HOST: 'db.example.com', PORT: '6000' })).toMatchObject({ host: 'db.example.com', port: 6000 });
    expect(dataStoreOf({ JDBC_CONNECTION_URL: 'jdbc:postgresql://db.example.com/orders', PORT: '6000' })).toMatchObject({ port: 6000 });
  });
});
