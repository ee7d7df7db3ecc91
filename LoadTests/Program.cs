return await LivepeerAspire.LoadTests.LoadTestCli.RunAsync(args);
