Console.WriteLine("LivepeerAspire load tests: not yet implemented");
return 1;
