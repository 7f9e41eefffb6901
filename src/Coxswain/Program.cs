System.Console.WriteLine("cox");
